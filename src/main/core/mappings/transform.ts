import type { Transform } from '../../../shared/contract/mappings';
import { getPath, setPath } from './payload-path';

/** The webhook body for an event payload: passthrough, or picks and renames, then constants. */
export function applyTransform(transform: Transform, payload: unknown): unknown {
  if (transform.mode === 'passthrough' && transform.constants.length === 0) return payload;
  const isObject = payload !== null && typeof payload === 'object' && !Array.isArray(payload);
  const body: Record<string, unknown> =
    transform.mode === 'passthrough'
      ? isObject
        ? structuredClone(payload as Record<string, unknown>)
        : { payload }
      : {};
  if (transform.mode === 'pick') {
    for (const field of transform.fields) {
      const value = getPath(payload, field.from);
      if (value !== undefined) setPath(body, field.to ?? field.from, structuredClone(value));
    }
  }
  for (const constant of transform.constants) setPath(body, constant.to, structuredClone(constant.value));
  return body;
}
