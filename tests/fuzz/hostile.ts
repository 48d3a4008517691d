import fc from 'fast-check';

/**
 * Values a hostile or broken client sends. Each is a value a real door can deliver: JSON over
 * WebSocket or HTTP, or a structured clone over Electron IPC (which also carries NaN, -0,
 * Infinity and undefined; JSON turns those into null).
 */

/** `{"a":{"a":…}}` or `[[…]]`, built without recursion. */
export function deepNest(levels: number, kind: 'object' | 'array' = 'object'): unknown {
  let value: unknown = kind === 'object' ? { leaf: true } : [0];
  for (let i = 0; i < levels; i++) value = kind === 'object' ? { a: value } : [value];
  return value;
}

/** The JSON text of `deepNest(levels)`, built without recursion (JSON.stringify overflows on it). */
export function deepJson(levels: number, kind: 'object' | 'array' = 'object'): string {
  return kind === 'object'
    ? '{"a":'.repeat(levels) + '{"leaf":true}' + '}'.repeat(levels)
    : '['.repeat(levels) + '[0]' + ']'.repeat(levels);
}

/** Strings that trip parsers, encoders, regexes and SQLite's text handling. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  'x\uD83D', // an emoji cut in half
  '\uDE00\uD83D', // a pair in the wrong order
  '\u202Egnp.exe', // right-to-left override
  '\u200B\u200C\u200D\uFEFF', // zero-width characters and a BOM
  '\u2028\u2029', // line separators JavaScript source once choked on
  'e\u0301'.repeat(500), // combining marks
  '🛫'.repeat(300),
  'Ｆｌｉｇｈｔｄｅｃｋ',
  '%',
  '%E0%A4%A',
  '../../../../etc/passwd',
  'C:\\Windows\\system32',
  "'; DROP TABLE mappings; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '${process.exit()}',
  '{{ $json }}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'NaN',
  '-0',
  '1e309',
  '*',
  'AND OR NOT NEAR',
  '"unterminated',
  'a'.repeat(101),
  'b'.repeat(1_001),
];

/** Numbers at and beyond every edge. */
export const ODD_NUMBERS: readonly number[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0.5,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  2 ** 31,
  2 ** 63,
  Number.MIN_VALUE,
];

/** `{"__proto__": …}` as JSON.parse makes it: an own property, as a socket would deliver it. */
const protoObjects = (): unknown[] => [
  JSON.parse('{"__proto__": {"polluted": true, "isAdmin": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
  { constructor: 'x', toString: 'y', valueOf: 1, hasOwnProperty: null },
  Object.create(null) as object,
];

/** A huge string: a little over the 1 MiB payload limit every door should apply. */
export const hugeString = (): string => 'x'.repeat(1024 * 1024 + 17);

/** One hostile value of any kind. Big ones are built lazily and rarely (they are slow to clone and hash). */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom('object', 'array').map((k) => deepNest(5_000, k as 'object' | 'array')) },
    { weight: 1, arbitrary: fc.constant(null).map(() => hugeString()) },
    { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 3, arbitrary: fc.constantFrom(...ODD_NUMBERS) },
    { weight: 2, arbitrary: fc.constantFrom(0, 1, 2, 3).map((i) => protoObjects()[i]) },
    {
      weight: 4,
      arbitrary: fc.constantFrom<unknown>(null, undefined, true, false, 0, 1, '', [], {}, [1, 'a', null], { id: 1 }),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
}

/** Extra keys a strict object should refuse (some of them also pollute prototypes when copied naively). */
export const EXTRA_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'extra', 'toString', '', ' id'];
