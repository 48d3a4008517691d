/**
 * A mapping's approval title over payload fields: `Refund {{refundId}} · {{amount}} {{currency}}`.
 * Placeholders are dotted paths (`{{customer.name}}`, `{{items.0.sku}}`); a missing field reads as
 * `?`; objects are shown as JSON. No expressions, no eval: only field reads.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)\s*\}\}/g;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
/** Titles are one line in the inbox; longer ones are cut here (characters). */
export const TITLE_MAX = 300;

function fieldAt(payload: unknown, path: string): unknown {
  let at: unknown = payload;
  for (const key of path.split('.')) {
    if (FORBIDDEN.has(key) || at === null || typeof at !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '?';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The title with each placeholder replaced by the payload's field; one line, at most TITLE_MAX characters. */
export function renderApprovalTitle(template: string, payload: unknown): string {
  const text = template.replace(PLACEHOLDER, (_m, path: string) => show(fieldAt(payload, path)));
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
}

/** The field paths a template reads, in order (for the editor's hint). */
export function templateFields(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}
