import type { Condition } from '../../../shared/contract/mappings';
import { getPath } from './payload-path';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function compare(actual: unknown, expected: unknown): number | undefined {
  if (isNumber(actual) && isNumber(expected)) return actual - expected;
  if (typeof actual === 'string' && typeof expected === 'string')
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  return undefined; // not comparable: every ordering test fails
}

/** Whether one condition holds for a payload. Values compare as JSON; order only for numbers or strings. */
export function conditionHolds(condition: Condition, payload: unknown): boolean {
  const actual = getPath(payload, condition.path);
  const expected = condition.value;
  const order = () => compare(actual, expected);
  switch (condition.op) {
    case 'exists':
      return actual !== undefined;
    case 'missing':
      return actual === undefined;
    case 'eq':
      return same(actual, expected);
    case 'ne':
      return !same(actual, expected);
    case 'gt':
      return (order() ?? NaN) > 0;
    case 'gte':
      return (order() ?? NaN) >= 0;
    case 'lt':
      return (order() ?? NaN) < 0;
    case 'lte':
      return (order() ?? NaN) <= 0;
    case 'in':
      return Array.isArray(expected) && expected.some((v) => same(actual, v));
    case 'contains':
      if (typeof actual === 'string' && typeof expected === 'string') return actual.includes(expected);
      return Array.isArray(actual) && actual.some((v) => same(v, expected));
  }
}

export const describeCondition = (c: Condition) =>
  c.op === 'exists' || c.op === 'missing' ? `${c.path} ${c.op}` : `${c.path} ${c.op} ${JSON.stringify(c.value)}`;

export const allConditionsHold = (conditions: Condition[], payload: unknown) =>
  conditions.every((c) => conditionHolds(c, payload));
