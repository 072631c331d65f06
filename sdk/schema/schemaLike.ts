/**
 * What the two compilers of valibot schemas share (fastCheck.ts generates code, closureCheck.ts composes closures where
 * code from strings is refused): the parts of a schema they read, and the checks both make the same way.
 */
export type Check = (input: unknown) => boolean;

export interface SchemaLike {
  kind: string;
  type: string;
  pipe?: readonly SchemaLike[];
  entries?: Record<string, SchemaLike>;
  options?: readonly unknown[];
  key?: string | SchemaLike;
  item?: SchemaLike;
  value?: SchemaLike;
  wrapped?: SchemaLike;
  default?: unknown;
  getter?: (input: unknown) => SchemaLike;
  literal?: unknown;
  requirement?: unknown;
}

/** Thrown by a compiler for a schema it does not know: compileCheck then answers null (no fast path). */
export class Unsupported extends Error {}

export const hasOwn = Object.prototype.hasOwnProperty;
/** Record keys valibot would silently drop: refused by the fast path (it must give back the input unchanged). */
export const DROPPED_RECORD_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const isObject = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && !Array.isArray(input);

/**
 * The schema a lazy schema stands for, asked once: a getter that takes no input gives the same schema every time (the
 * contract's recursive JSON value makes a new but equal one at each call). One that reads the input may give another
 * schema per input: no fast path.
 */
export function lazyTarget(schema: SchemaLike): SchemaLike {
  const getter = schema.getter!;
  if (getter.length !== 0) throw new Unsupported('lazy schema of the input');
  return getter(undefined);
}
