/**
 * compileCheck's predicate as closures, for where code from strings is refused (the extension's pages and service
 * worker import the bundle validation, under MV3's content security policy). Same promise as the generated one
 * (fastCheck.ts): true only when valibot would accept the input and give it back unchanged; fastCheck.spec.ts checks
 * both against valibot.
 */
import { DROPPED_RECORD_KEYS, hasOwn, isObject, lazyTarget, Unsupported, type Check, type SchemaLike } from './schemaLike';

/** The predicate of `schema`; throws Unsupported for what it does not know. */
export function compileClosureCheck(schema: SchemaLike): Check {
  return compile(schema, new Map());
}

function compile(schema: SchemaLike, cache: Map<SchemaLike, Check>): Check {
  const known = cache.get(schema);
  if (known) return known;
  let check: Check;
  if (schema.pipe) {
    // v.pipe(schema, ...actions) is `schema` with this pipe: its first item (itself maybe piped) is checked first.
    const [base, ...actions] = schema.pipe;
    if (!base || base === schema) throw new Unsupported('pipe');
    const baseCheck = compile(base, cache);
    const actionChecks = actions.map(compileAction);
    check = (input) => {
      if (!baseCheck(input)) return false;
      for (const action of actionChecks) if (!action(input)) return false;
      return true;
    };
  } else {
    check = compileBare(schema, cache);
  }
  cache.set(schema, check);
  return check;
}

/** A schema without its pipe (a piped schema's first item is the schema itself with the same `pipe`). */
function compileBare(schema: SchemaLike, cache: Map<SchemaLike, Check>): Check {
  const sub = (inner: SchemaLike) => compile(inner, cache);
  switch (schema.type) {
    case 'string':
      return (input) => typeof input === 'string';
    case 'number':
      return (input) => typeof input === 'number' && !Number.isNaN(input);
    case 'boolean':
      return (input) => typeof input === 'boolean';
    case 'null':
      return (input) => input === null;
    case 'unknown':
      return () => true;
    case 'literal': {
      const literal = schema.literal;
      return (input) => input === literal;
    }
    case 'picklist': {
      const options = schema.options as readonly unknown[];
      return (input) => options.includes(input);
    }
    case 'nullable': {
      if (schema.default !== undefined) throw new Unsupported('default');
      const wrapped = sub(schema.wrapped!);
      return (input) => input === null || wrapped(input);
    }
    case 'optional': {
      if (schema.default !== undefined) throw new Unsupported('default');
      const wrapped = sub(schema.wrapped!);
      return (input) => input === undefined || wrapped(input);
    }
    case 'array': {
      const item = sub(schema.item!);
      return (input) => {
        if (!Array.isArray(input)) return false;
        for (let i = 0; i < input.length; i++) if (!item(input[i])) return false;
        return true;
      };
    }
    case 'record': {
      const key = sub(schema.key as SchemaLike);
      const value = sub(schema.value!);
      return (input) => {
        if (!isObject(input)) return false;
        for (const k in input) {
          if (!hasOwn.call(input, k) || DROPPED_RECORD_KEYS.has(k) || !key(k) || !value(input[k])) return false;
        }
        return true;
      };
    }
    case 'object':
    case 'strict_object':
      return compileObject(schema.entries!, cache);
    case 'variant':
      return compileVariant(schema, cache);
    case 'union': {
      const options = (schema.options as SchemaLike[]).map(sub);
      return (input) => {
        for (const option of options) if (option(input)) return true;
        return false;
      };
    }
    case 'lazy': {
      // Compiled once, at the first check (the lazy schema is in the cache by then, so recursion finds it); asked at
      // every check, the recursive JSON value's new union was compiled again and kept each time.
      if (schema.getter!.length !== 0) throw new Unsupported('lazy schema of the input');
      let target: Check | null = null;
      return (input) => {
        if (!target) target = sub(lazyTarget(schema));
        return target(input);
      };
    }
    default:
      throw new Unsupported(schema.type);
  }
}

function compileObject(entries: Record<string, SchemaLike>, cache: Map<SchemaLike, Check>): Check {
  const keys = Object.keys(entries);
  const checks = keys.map((key) => compile(entries[key]!, cache));
  const optional = keys.map((key) => {
    const entry = entries[key]!;
    if (entry.type === 'exact_optional' || entry.type === 'nullish') throw new Unsupported(entry.type);
    return entry.type === 'optional';
  });
  return (input) => {
    if (!isObject(input)) return false;
    let present = 0;
    for (let i = 0; i < keys.length; i++) {
      const value = input[keys[i]!];
      if (value === undefined) {
        if (!optional[i] || hasOwn.call(input, keys[i]!)) return false;
        continue;
      }
      if (!hasOwn.call(input, keys[i]!) || !checks[i]!(value)) return false;
      present++;
    }
    // No key the schema does not name (valibot's strict object refuses one, its plain object drops it).
    let own = 0;
    for (const key in input) {
      if (!hasOwn.call(input, key)) return false;
      own++;
    }
    return own === present;
  };
}

function compileVariant(schema: SchemaLike, cache: Map<SchemaLike, Check>): Check {
  const key = schema.key as string;
  const byLiteral = new Map<unknown, Check>();
  for (const option of schema.options as SchemaLike[]) {
    const discriminator = option.entries?.[key];
    if ((option.type !== 'object' && option.type !== 'strict_object') || discriminator?.type !== 'literal' || discriminator.pipe) throw new Unsupported('variant option');
    if (byLiteral.has(discriminator.literal)) throw new Unsupported('variant: two options share a discriminator');
    byLiteral.set(discriminator.literal, compile(option, cache));
  }
  return (input) => {
    if (!isObject(input)) return false;
    const check = byLiteral.get(input[key]);
    return check !== undefined && check(input);
  };
}

function compileAction(action: SchemaLike): Check {
  if (action.kind !== 'validation') throw new Unsupported(`${action.kind} ${action.type}`);
  const requirement = action.requirement;
  switch (action.type) {
    case 'max_length': {
      const max = requirement as number;
      return (input) => (input as { length: number }).length <= max;
    }
    case 'min_length': {
      const min = requirement as number;
      return (input) => (input as { length: number }).length >= min;
    }
    case 'min_value': {
      const min = requirement as number;
      return (input) => (input as number) >= min;
    }
    case 'max_value': {
      const max = requirement as number;
      return (input) => (input as number) <= max;
    }
    case 'integer':
      return (input) => Number.isInteger(input);
    case 'finite':
      return (input) => Number.isFinite(input);
    case 'regex': {
      const pattern = requirement as RegExp;
      if (pattern.global || pattern.sticky) throw new Unsupported('stateful regex');
      return (input) => pattern.test(input as string);
    }
    case 'check': {
      const predicate = requirement as (input: unknown) => boolean;
      return (input) => predicate(input) === true;
    }
    default:
      throw new Unsupported(action.type);
  }
}
