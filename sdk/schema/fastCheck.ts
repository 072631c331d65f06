/**
 * A valibot schema compiled once into a plain predicate, for the hot paths of a trust boundary (the server's intake
 * checks every event of every upload). `compileCheck(schema)(input)` is true only when valibot would accept `input`
 * AND give back an output equal to it (so the caller may keep the input itself); false means "not sure": the caller
 * then runs valibot, which decides and words the error. So the predicate can only ever be stricter than the schema,
 * never looser (fastCheck.spec.ts checks it against valibot over valid and broken corpora).
 *
 * Supported: the schema kinds and pipe actions the contract uses (objects, variants, unions, records, arrays,
 * literals, picklists, strings, numbers, booleans, null, unknown, optional/nullable without defaults, lazy with a
 * getter of no argument; length, value, integer, finite, regex and check actions). Anything else (a transformation, a
 * default, a lazy schema chosen by the input) makes compileCheck return null: no fast path for that schema.
 * Differences kept on the strict side: an object (strict or not) with a key its schema does not name, an array where
 * an object or record is expected, and a record key valibot would silently drop (`__proto__`, `constructor`,
 * `prototype`) all answer false. Where code from strings is refused, the same predicate is made of closures
 * (closureCheck.ts).
 */
import type * as v from 'valibot';
import { compileClosureCheck } from './closureCheck';
import { DROPPED_RECORD_KEYS, hasOwn, isObject, lazyTarget, Unsupported, type Check, type SchemaLike } from './schemaLike';

export type { Check } from './schemaLike';

/** Schema kinds checked by a function of their own (called), the others inlined where they are used. */
const OWN_FUNCTION = new Set(['object', 'strict_object', 'array', 'record', 'variant', 'union', 'lazy']);

/** The predicate of `schema`, or null when it uses something compileCheck does not know. */
export function compileCheck(schema: v.GenericSchema): Check | null {
  try {
    return new Unit().check(schema as unknown as SchemaLike);
  } catch (error) {
    if (error instanceof Unsupported) return null;
    // Code from strings refused (an extension page or service worker): the same predicate as closures.
    if (error instanceof EvalError) return compileWithClosures(schema);
    throw error;
  }
}

/** compileCheck as closures only (closureCheck.ts): what the extension gets; the specs run both. */
export function compileWithClosures(schema: v.GenericSchema): Check | null {
  try {
    return compileClosureCheck(schema as unknown as SchemaLike);
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

/**
 * One compilation: the schema as JavaScript source, one function per object, array, record, variant and union (a
 * schema met twice, or recursively, is one function), strings, numbers and their pipes inlined. Generated rather than
 * composed of closures: an object's fields are read by their names (`x["url"]`), which V8 caches per shape, where a
 * loop over the key list is a keyed read that sees every field name at one site (megamorphic), and each check is a
 * direct call. Every value the source needs (a literal, a bound, a pattern, a predicate) is passed in `k`, never
 * written into the source; keys are written as JSON strings.
 */
class Unit {
  private readonly constants: unknown[] = [];
  private readonly names = new Map<SchemaLike, string>();
  private readonly functions: string[] = [];
  private vars = 0;

  check(schema: SchemaLike): Check {
    const name = this.fn(schema);
    const make = new Function('k', 'hasOwn', 'isObject', 'DROPPED', `'use strict';\n${this.functions.join('\n')}\nreturn ${name};`) as (...args: unknown[]) => Check;
    return make(this.constants, hasOwn, isObject, DROPPED_RECORD_KEYS);
  }

  private k(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  /** The name of the function that checks `schema` (made on first use; named before its body, for recursion). */
  private fn(schema: SchemaLike): string {
    const known = this.names.get(schema);
    if (known) return known;
    const name = `f${this.names.size}`;
    this.names.set(schema, name);
    const at = this.functions.push('') - 1;
    const body = !schema.pipe && OWN_FUNCTION.has(schema.type) ? this.own(schema) : this.statements(schema, 'x');
    this.functions[at] = `function ${name}(x) {\n${body}\nreturn true;\n}`;
    return name;
  }

  /** Statements that `return false` unless the value in variable `x` passes `schema`. */
  private statements(schema: SchemaLike, x: string): string {
    if (schema.pipe) {
      // v.pipe(schema, ...actions) is `schema` with this pipe: its first item (itself maybe piped) is checked first.
      const [base, ...actions] = schema.pipe;
      if (!base || base === schema) throw new Unsupported('pipe');
      return [this.statements(base, x), ...actions.map((action) => this.action(action, x))].join('\n');
    }
    if (OWN_FUNCTION.has(schema.type)) return `if (!${this.fn(schema)}(${x})) return false;`;
    switch (schema.type) {
      case 'string':
        return `if (typeof ${x} !== 'string') return false;`;
      case 'number':
        return `if (typeof ${x} !== 'number' || Number.isNaN(${x})) return false;`;
      case 'boolean':
        return `if (typeof ${x} !== 'boolean') return false;`;
      case 'null':
        return `if (${x} !== null) return false;`;
      case 'unknown':
        return '';
      case 'literal':
        return `if (${x} !== ${this.k(schema.literal)}) return false;`;
      case 'picklist':
        return `if (!${this.k(schema.options)}.includes(${x})) return false;`;
      case 'nullable':
      case 'optional': {
        if (schema.default !== undefined) throw new Unsupported('default');
        return `if (${x} !== ${schema.type === 'nullable' ? 'null' : 'undefined'}) {\n${this.statements(schema.wrapped!, x)}\n}`;
      }
      default:
        throw new Unsupported(schema.type);
    }
  }

  /** The body of the function of an object, array, record, variant, union or lazy schema: checks `x`. */
  private own(schema: SchemaLike): string {
    switch (schema.type) {
      case 'object':
      case 'strict_object':
        return this.object(schema.entries!);
      case 'array':
        return `if (!Array.isArray(x)) return false;\nfor (let i = 0; i < x.length; i++) if (!${this.fn(schema.item!)}(x[i])) return false;`;
      case 'record': {
        const key = this.fn(schema.key as SchemaLike);
        const value = this.fn(schema.value!);
        return `if (!isObject(x)) return false;\nfor (const key in x) {\nif (!hasOwn.call(x, key) || DROPPED.has(key) || !${key}(key) || !${value}(x[key])) return false;\n}`;
      }
      case 'variant':
        return this.variant(schema);
      case 'union':
        return `if (!(${(schema.options as SchemaLike[]).map((option) => `${this.fn(option)}(x)`).join(' || ')})) return false;`;
      case 'lazy':
        // Compiled once (schemaLike.ts lazyTarget), inside the lazy schema's own function, which recursion calls.
        return this.statements(lazyTarget(schema), 'x');
      default:
        throw new Unsupported(schema.type);
    }
  }

  private object(entries: Record<string, SchemaLike>): string {
    const out = ['if (!isObject(x)) return false;', 'let present = 0;'];
    for (const [key, entry] of Object.entries(entries)) {
      if (entry.type === 'exact_optional' || entry.type === 'nullish') throw new Unsupported(entry.type);
      const name = JSON.stringify(key);
      const value = `v${this.vars++}`;
      // A missing key reads as undefined (so does one set to undefined, which valibot refuses unless optional).
      out.push(
        `const ${value} = x[${name}];`,
        `if (${value} === undefined) {`,
        entry.type === 'optional' ? `if (hasOwn.call(x, ${name})) return false;` : 'return false;',
        '} else {',
        `if (!hasOwn.call(x, ${name})) return false;`,
        this.statements(entry, value),
        'present++;',
        '}',
      );
    }
    // No key the schema does not name (valibot's strict object refuses one, its plain object drops it).
    out.push('let own = 0;', 'for (const key in x) {', 'if (!hasOwn.call(x, key)) return false;', 'own++;', '}', 'if (own !== present) return false;');
    return out.join('\n');
  }

  private variant(schema: SchemaLike): string {
    const key = JSON.stringify(schema.key as string);
    const byLiteral = new Map<unknown, string>();
    for (const option of schema.options as SchemaLike[]) {
      const discriminator = option.entries?.[schema.key as string];
      if ((option.type !== 'object' && option.type !== 'strict_object') || discriminator?.type !== 'literal' || discriminator.pipe) throw new Unsupported('variant option');
      if (byLiteral.has(discriminator.literal)) throw new Unsupported('variant: two options share a discriminator');
      byLiteral.set(discriminator.literal, this.fn(option));
    }
    // A switch compares by ===, as the option's own literal check does; a Map (SameValueZero) would also match NaN.
    const cases = [...byLiteral].map(([literal, name]) => `case ${this.k(literal)}: return ${name}(x);`);
    return `if (!isObject(x)) return false;\nswitch (x[${key}]) {\n${cases.join('\n')}\ndefault: return false;\n}`;
  }

  private action(action: SchemaLike, x: string): string {
    if (action.kind !== 'validation') throw new Unsupported(`${action.kind} ${action.type}`);
    const requirement = action.requirement;
    switch (action.type) {
      case 'max_length':
        return `if (!(${x}.length <= ${this.k(requirement)})) return false;`;
      case 'min_length':
        return `if (!(${x}.length >= ${this.k(requirement)})) return false;`;
      case 'min_value':
        return `if (!(${x} >= ${this.k(requirement)})) return false;`;
      case 'max_value':
        return `if (!(${x} <= ${this.k(requirement)})) return false;`;
      case 'integer':
        return `if (!Number.isInteger(${x})) return false;`;
      case 'finite':
        return `if (!Number.isFinite(${x})) return false;`;
      case 'regex': {
        const pattern = requirement as RegExp;
        if (pattern.global || pattern.sticky) throw new Unsupported('stateful regex');
        return `if (!${this.k(pattern)}.test(${x})) return false;`;
      }
      case 'check':
        return `if (${this.k(requirement)}(${x}) !== true) return false;`;
      default:
        throw new Unsupported(action.type);
    }
  }
}
