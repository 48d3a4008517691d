import type { MergeSide } from '../../../../shared/contract';

/** One side's value as the merge view shows it: pretty JSON, or what its absence means. */
export function showSide(side: MergeSide, absent = '(not there)'): string {
  if (!side.present) return absent;
  if (typeof side.value === 'string') return side.value;
  return JSON.stringify(side.value, null, 2) ?? 'null';
}

/** The text an "edit" starts from: mine's value as JSON (theirs when mine deleted it). */
export function editText(mine: MergeSide, theirs: MergeSide): string {
  const from = mine.present ? mine : theirs;
  return from.present ? (JSON.stringify(from.value, null, 2) ?? 'null') : 'null';
}

/** Parses an edited value; strings may be typed bare (not quoted) when they are not JSON. */
export function parseEdit(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const trimmed = text.trim();
    if (trimmed && !/^[[{"]/.test(trimmed)) return { ok: true, value: text };
    return { ok: false, message: `Not valid JSON: ${(error as Error).message}` };
  }
}
