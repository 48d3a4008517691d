import fc from 'fast-check';
import type { z } from 'zod';
import { EXTRA_KEYS, hostileValue } from './hostile';

/**
 * fast-check arbitraries derived from the contract's own zod schemas, by walking zod 4's schema
 * definitions (`schema._zod.def`). What comes out is "valid-ish": it follows types, enums,
 * lengths, bounds and regexes, but not refinements, so some of it is still refused; the mutation
 * layer below then breaks it on purpose.
 */

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  [key: string]: unknown;
}
interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** What a field is, for hints that know better than the schema (ids, time zones, URLs, paths). */
export interface FieldContext {
  /** The object key this value sits under (`id`, `instanceId`…), or the array's key for elements. */
  key: string | undefined;
  /** The zod definition type: string, number, unknown… */
  type: string;
}

/** Returns a generator for a field, or undefined to derive one from the schema. */
export type Hint = (field: FieldContext, derived: () => fc.Arbitrary<unknown>) => fc.Arbitrary<unknown> | undefined;

const MAX_DEPTH = 6;
const SAFE = Number.MAX_SAFE_INTEGER;

function lengthBounds(def: Def): { min: number; max: number | undefined } {
  let min = 0;
  let max: number | undefined;
  for (const c of def.checks ?? []) {
    const check = c._zod.def;
    if (check.check === 'min_length' && check.minimum !== undefined) min = Math.max(min, check.minimum);
    if (check.check === 'max_length' && check.maximum !== undefined)
      max = max === undefined ? check.maximum : Math.min(max, check.maximum);
    if (check.check === 'length_equals' && check.length !== undefined) min = max = check.length;
  }
  return { min, max };
}

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  const { min, max } = lengthBounds(def);
  const cap = Math.min(max ?? 60, Math.max(min, 60));
  const fits = (s: string) => s.length >= min && (max === undefined || s.length <= max);
  for (const c of def.checks ?? []) {
    const check = c._zod.def;
    if (check.check !== 'string_format') continue;
    if (check.format === 'regex' && check.pattern) {
      const matching = fc.stringMatching(check.pattern).filter(fits);
      // Some patterns rarely fit the length bounds: keep a plain fallback so generation never stalls.
      return fc.oneof(
        { weight: 4, arbitrary: matching },
        { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: cap }) },
      );
    }
    if (check.format === 'url') return fc.constantFrom('http://127.0.0.1:1', 'https://127.0.0.1:1/n8n');
    if (check.format === 'email') return fc.constantFrom('ana@example.com', 'ops@example.org');
    if (check.format === 'uuid') return fc.uuid();
  }
  return fc.string({ minLength: min, maxLength: cap, unit: 'grapheme-composite' });
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let min = -SAFE;
  let max = SAFE;
  let integer = false;
  for (const c of def.checks ?? []) {
    const check = c._zod.def;
    if (check.check === 'number_format') integer = check.format === 'safeint' || check.format === 'int32' || integer;
    if (check.check === 'greater_than' && check.value !== undefined)
      min = Math.max(min, check.inclusive ? check.value : check.value + (integer ? 1 : Number.EPSILON));
    if (check.check === 'less_than' && check.value !== undefined)
      max = Math.min(max, check.inclusive ? check.value : check.value - (integer ? 1 : Number.EPSILON));
  }
  if (integer) {
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    // Near-edge values matter most: the bounds themselves and just inside them.
    return fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi, Math.min(hi, lo + 1)));
  }
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Small JSON values, the shape of a realistic event payload. */
export const jsonPayload = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        amount: fc.integer({ min: 0, max: 500 }),
        customer: fc.record({ tier: fc.constantFrom('gold', 'free') }),
      }),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constant({}) },
  );

/** An arbitrary for values of `schema` (valid-ish); `hint` overrides fields it recognises. */
export function arbitraryFor(schema: unknown, hint: Hint, key?: string, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const derived = () => derive(def, hint, key, depth);
  return hint({ key, type: def.type }, derived) ?? derived();
}

function derive(def: Def, hint: Hint, key: string | undefined, depth: number): fc.Arbitrary<unknown> {
  const inner = (s: unknown, k = key) => arbitraryFor(s, hint, k, depth + 1);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def);
    case 'number':
    case 'int':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'undefined':
    case 'void':
      return fc.constant(undefined);
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case 'any':
    case 'unknown':
      return jsonPayload();
    case 'optional':
      return fc.option(inner(def.innerType), { nil: undefined, freq: 3 });
    case 'nullable':
      return fc.option(inner(def.innerType), { nil: null, freq: 4 });
    case 'default':
    case 'prefault':
      return fc.option(inner(def.innerType), { nil: undefined, freq: 3 });
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return inner(def.innerType);
    case 'pipe':
      return inner(def.in);
    case 'lazy':
      return depth > 3 ? fc.constant(null) : inner((def.getter as () => unknown)());
    case 'array': {
      if (depth > MAX_DEPTH) return fc.constant([]);
      const { min, max } = lengthBounds(def);
      return fc.array(inner(def.element), { minLength: min, maxLength: Math.min(max ?? 4, Math.max(min, 4)) });
    }
    case 'tuple':
      return fc.tuple(...(def.items as unknown[]).map((item) => inner(item)));
    case 'record':
      if (depth > MAX_DEPTH) return fc.constant({});
      return fc.dictionary(
        stringArbitrary({ type: 'string' }).filter((s) => s.length > 0),
        inner(def.valueType),
        { maxKeys: 3 },
      );
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [name, field] of Object.entries(shape)) {
        fields[name] = arbitraryFor(field, hint, name, depth + 1);
        const t = defOf(field).type;
        if (t !== 'optional' && t !== 'default' && t !== 'prefault') required.push(name);
      }
      // Optional fields generated as undefined are dropped, as a JSON client would send them.
      return fc
        .record(fields, { requiredKeys: required })
        .map((record) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)));
    }
    case 'union':
      return fc.oneof(...(def.options as unknown[]).map((option) => inner(option)));
    case 'intersection':
      return fc
        .tuple(inner(def.left), inner(def.right))
        .map(([a, b]) => (isPlainObject(a) && isPlainObject(b) ? { ...a, ...b } : a));
    case 'date':
      return fc.date();
    case 'bigint':
      return fc.bigInt();
    default:
      // A schema kind the contract does not use today: anything at all.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- mutations ---------------------------------------------------------------------------------

/** One deliberate break of a valid-ish input, at a position chosen by `at`. */
export type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'extraKey'; at: number; key: string; value: unknown }
  | { kind: 'dropKey'; at: number };

export const mutationArbitrary = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('extraKey' as const),
        at: fc.nat(),
        key: fc.constantFrom(...EXTRA_KEYS),
        value: fc.oneof(hostileValue(), fc.constant({ polluted: true })),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropKey' as const), at: fc.nat() }) },
  );

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number } | { root: true };

/** Copies plain data (the valid-ish input is small), so fast-check's own values are never mutated. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copy(v);
    return out;
  }
  return value;
}

function slots(root: unknown): { all: Slot[]; objects: Record<string, unknown>[] } {
  const all: Slot[] = [{ root: true }];
  const objects: Record<string, unknown>[] = [];
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0 && all.length < 500) {
    const [value, depth] = stack.pop()!;
    if (depth > 12) continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        all.push({ parent: value, key: i });
        stack.push([v, depth + 1]);
      });
    } else if (isPlainObject(value)) {
      objects.push(value);
      for (const [k, v] of Object.entries(value)) {
        all.push({ parent: value, key: k });
        stack.push([v, depth + 1]);
      }
    }
  }
  return { all, objects };
}

/** Applies mutations in order to a copy of `input`. */
export function mutate(input: unknown, mutations: Mutation[]): unknown {
  let root = copy(input);
  for (const m of mutations) {
    const { all, objects } = slots(root);
    if (m.kind === 'replace') {
      const slot = all[m.at % all.length]!;
      if ('root' in slot) root = m.value;
      else (slot.parent as Record<string | number, unknown>)[slot.key] = m.value;
    } else if (m.kind === 'extraKey') {
      const target = objects[m.at % Math.max(1, objects.length)];
      // defineProperty makes `__proto__` an own key, as JSON.parse would deliver it.
      if (target)
        Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    } else {
      const target = objects[m.at % Math.max(1, objects.length)];
      const keys = target ? Object.keys(target) : [];
      if (target && keys.length > 0) delete target[keys[m.at % keys.length]!];
    }
  }
  return root;
}

/** Valid-ish inputs, broken ones and wholly hostile ones, for one call's input schema. */
export function inputArbitrary(schema: z.ZodType, hint: Hint): fc.Arbitrary<unknown> {
  const valid = arbitraryFor(schema, hint);
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    {
      weight: 5,
      arbitrary: fc
        .tuple(valid, fc.array(mutationArbitrary(), { minLength: 1, maxLength: 3 }))
        .map(([v, ms]) => mutate(v, ms)),
    },
    { weight: 1, arbitrary: hostileValue() },
  );
}
