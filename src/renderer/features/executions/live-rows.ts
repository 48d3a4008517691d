import type { ExecutionFilter, ExecutionSort, ExecutionSummary, SortDirection } from '../../../shared/contract';
import { compareExecutions, compareKeys, sortKeyOf, type SortKey } from '../../../shared/execution-order';

/** What the loaded part of the list covers, in the list's order (keyset: bounds, not offsets). */
export interface ListWindow {
  sort: ExecutionSort;
  direction: SortDirection;
  filter: ExecutionFilter;
  /** Key of the first row when the list was opened at a jump (rows before it are not loaded); null at the top. */
  startKey: SortKey | null;
  /** Key of the last loaded row when more pages follow (the next page starts after it); null when all is loaded. */
  endKey: SortKey | null;
}

/**
 * Whether a run passes the list's filter, as the core's filterClause decides. `undefined` when it
 * cannot be told here: a full-text search runs in the core only.
 */
export function matchesFilter(e: ExecutionSummary, f: ExecutionFilter): boolean | undefined {
  if (f.instanceId && e.instanceId !== f.instanceId) return false;
  if (f.workflowId && e.workflowId !== f.workflowId) return false;
  if (f.mappingId && e.mappingId !== f.mappingId) return false;
  if (f.event && e.event !== f.event) return false;
  if (f.source && e.source !== f.source) return false;
  if (f.status?.length && !f.status.includes(e.status)) return false;
  if (f.fromMs !== undefined && e.createdAtMs < f.fromMs) return false;
  if (f.toMs !== undefined && e.createdAtMs >= f.toMs) return false;
  if (f.search) return undefined;
  return true;
}

/** Whether a run sorts inside the loaded window (so the next page would not show it again). */
export function inWindow(e: ExecutionSummary, w: ListWindow): boolean {
  const key = sortKeyOf(e, w.sort);
  const order = (a: SortKey, b: SortKey) => (w.direction === 'asc' ? compareKeys(a, b) : -compareKeys(a, b));
  if (w.startKey && order(key, w.startKey) < 0) return false;
  if (w.endKey && order(key, w.endKey) > 0) return false;
  return true;
}

/**
 * Places pushed rows in the loaded list: a known row is replaced (and moves if its key changed),
 * a new one is added where it sorts; a row that leaves the filter or the window is dropped (the
 * page that covers it shows it). `refetch` is true when a new row's filter match cannot be told
 * here (a search): the caller reloads instead.
 */
export function mergeLive(
  current: readonly ExecutionSummary[],
  pushed: readonly ExecutionSummary[],
  w: ListWindow,
): { rows: ExecutionSummary[]; refetch: boolean } {
  const fresh = new Map<number, ExecutionSummary>();
  for (const row of pushed) fresh.set(row.id, row); // the last push of a row wins
  const known = new Set(current.map((e) => e.id));
  let refetch = false;
  const keep = (e: ExecutionSummary) => matchesFilter(e, w.filter) !== false && inWindow(e, w);
  const rows = current.flatMap((e) => {
    const next = fresh.get(e.id);
    if (!next) return [e];
    return keep(next) ? [next] : [];
  });
  for (const e of fresh.values()) {
    if (known.has(e.id)) continue;
    const match = matchesFilter(e, w.filter);
    if (match === undefined) refetch = true;
    else if (match && inWindow(e, w)) rows.push(e);
  }
  rows.sort((a, b) => compareExecutions(a, b, w.sort, w.direction));
  return { rows, refetch };
}
