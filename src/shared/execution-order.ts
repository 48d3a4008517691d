import type { ExecutionSort, ExecutionSummary, SortDirection } from './contract';

/**
 * The order of the Executions list, shared by the core (SQL, keyset cursors) and the renderer
 * (placing a live row among the loaded ones): both must agree exactly, or a pushed row would land
 * where the next page would show it again.
 *
 * Each sort is a key of one or two values plus the row id as the last tie-break, every part in
 * the same direction (so one row-value comparison and one index serve a page). A missing
 * finish time or duration (a run still going) sorts as -1: last when newest/longest first.
 */
export type SortKey = readonly (number | string)[];

/** The sort key of a summary, in the same parts (and with the same null handling) as the SQL. */
export function sortKeyOf(e: ExecutionSummary, sort: ExecutionSort): SortKey {
  switch (sort) {
    case 'created':
      return [e.createdAtMs, e.id];
    case 'started':
      return [e.startedAtMs ?? e.createdAtMs, e.id];
    case 'finished':
      return [e.finishedAtMs ?? -1, e.id];
    case 'duration':
      return [e.durationMs ?? -1, e.id];
    case 'status':
      return [e.status, e.createdAtMs, e.id];
  }
}

/** Compares two keys part by part (numbers numerically, text by code unit, as SQLite's BINARY). */
export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Negative when `a` comes before `b` in the list's order (sort and direction). */
export function compareExecutions(
  a: ExecutionSummary,
  b: ExecutionSummary,
  sort: ExecutionSort,
  direction: SortDirection,
): number {
  const c = compareKeys(sortKeyOf(a, sort), sortKeyOf(b, sort));
  return direction === 'asc' ? c : -c;
}

/** Sorts that have a time to jump to (seek): the others order by something that is not a date. */
export const SEEKABLE_SORTS: readonly ExecutionSort[] = ['created', 'started'];
