import { z } from 'zod';
import {
  EXECUTION_STATUSES,
  type CallArgs,
  type ExecutionFilter,
  type ExecutionSort,
  type ExecutionStatus,
  type ExecutionSummary,
  type NodeRun,
  type RetryKind,
  type SortDirection,
} from '../../../shared/contract';
import { SEEKABLE_SORTS } from '../../../shared/execution-order';
import { parseRunNumber } from '../../../shared/run-identity';
import { parseRunRef, RUN_REF_SQL } from '../dispatch/run-lineage';
import { AppError } from '../../../shared/result';
import type { CoreContext } from '../context';
import { searchIndex } from '../db/search-index';
import type { Clients } from './clients';

interface ExecutionRow {
  id: number;
  source: 'local' | 'remote';
  instance_id: string | null;
  workflow_id: string | null;
  workflow_name: string | null;
  event: string | null;
  mapping_id: string | null;
  mapping_name: string | null;
  remote_id: string | null;
  status: ExecutionStatus;
  mode: string | null;
  retry_of: string | null;
  error: string | null;
  /** Detail only (DETAIL_SELECT). */
  data_json?: string | null;
  created_at_ms: number;
  started_at_ms: number | null;
  finished_at_ms: number | null;
  duration_ms: number | null;
  updated_at_ms: number;
  retry_kind: RetryKind | null;
  /** The retried and the superseding run, as RunRef JSON (lineage: run-lineage.ts). */
  retry_of_ref: string | null;
  superseded_by_ref: string | null;
  unconfirmed_at_ms: number | null;
}

const toSummary = (r: ExecutionRow): ExecutionSummary => ({
  id: r.id,
  source: r.source,
  instanceId: r.instance_id,
  workflowId: r.workflow_id,
  workflowName: r.workflow_name,
  event: r.event,
  mappingId: r.mapping_id,
  mappingName: r.mapping_name,
  remoteId: r.remote_id,
  status: r.status,
  mode: r.mode,
  retryOf: r.retry_of,
  retryOfRun: parseRunRef(r.retry_of_ref),
  retryKind: r.retry_kind,
  supersededByRun: parseRunRef(r.superseded_by_ref),
  error: r.error,
  createdAtMs: r.created_at_ms,
  startedAtMs: r.started_at_ms,
  finishedAtMs: r.finished_at_ms,
  durationMs: r.duration_ms,
  unconfirmedAtMs: r.unconfirmed_at_ms,
});

/**
 * The columns a summary shows: a list page never reads payloads, requests, responses or n8n's run
 * data (kilobytes per row, in overflow pages); the detail adds data_json (DETAIL_SELECT).
 */
const SUMMARY_COLUMNS = `e.id, e.source, e.instance_id, e.workflow_id, e.remote_id, e.status, e.mode, e.retry_of, e.error,
  e.created_at_ms, e.started_at_ms, e.finished_at_ms, e.duration_ms, e.updated_at_ms, e.retry_kind, e.unconfirmed_at_ms,
  e.event, e.mapping_id`;
// A mapping's name is optional (its event stands in, as everywhere else); a deleted one has none.
const FROM = `w.name AS workflow_name, ${RUN_REF_SQL('r')} AS retry_of_ref, ${RUN_REF_SQL('s')} AS superseded_by_ref,
  COALESCE(NULLIF(json_extract(m.config_json, '$.name'), ''), m.event) AS mapping_name
  FROM executions e
  LEFT JOIN workflows w ON w.instance_id = e.instance_id AND w.id = e.workflow_id
  LEFT JOIN mappings m ON m.id = e.mapping_id
  LEFT JOIN executions r ON r.id = e.retry_of_id LEFT JOIN executions s ON s.id = e.superseded_by_id`;
const SELECT = `SELECT ${SUMMARY_COLUMNS}, ${FROM}`;
const DETAIL_SELECT = `SELECT ${SUMMARY_COLUMNS}, e.data_json, ${FROM}`;

// The part of n8n's run data the detail view reads; anything else in it is ignored.
const runDataSchema = z.object({
  resultData: z.object({
    error: z.object({ message: z.string() }).partial().nullish(),
    runData: z.record(
      z.string(),
      z.array(
        z.object({
          startTime: z.number().nullish(),
          executionTime: z.number().nullish(),
          error: z.object({ message: z.string() }).partial().nullish(),
          data: z.object({ main: z.array(z.array(z.unknown()).nullable()).nullish() }).nullish(),
        }),
      ),
    ),
  }),
});

const storedSchema = z.object({
  nodes: z.array(z.object({ node: z.string() }).passthrough()),
  fetchedAtMs: z.number(),
});

/** Per-node run summary (start, duration, items, error) from n8n's execution data. */
export function summarizeRunData(data: unknown): { nodes: NodeRun[]; error: string | null } | null {
  const parsed = runDataSchema.safeParse(data);
  if (!parsed.success) return null;
  const nodes: NodeRun[] = [];
  for (const [node, runs] of Object.entries(parsed.data.resultData.runData)) {
    runs.forEach((run, index) =>
      nodes.push({
        node,
        run: index,
        startedAtMs: run.startTime ?? null,
        durationMs: run.executionTime ?? null,
        items: (run.data?.main ?? []).reduce((sum, output) => sum + (output?.length ?? 0), 0),
        error: run.error?.message ?? null,
      }),
    );
  }
  nodes.sort((a, b) => (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0));
  return { nodes, error: parsed.data.resultData.error?.message ?? null };
}

/** Turns the search box's words into an FTS5 query: each word quoted, prefix-matched, all required. */
export function ftsQuery(search: string): string {
  return (
    search
      // FTS5 ends a string at a NUL ("unterminated string"); control characters are never searched for.
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 12)
      .map((word) => `"${word.replace(/"/g, '""')}"*`)
      .join(' ')
  );
}

/** WHERE clauses (on alias `e`) for an execution filter; shared with bulk actions. */
export function filterClause(filter: ExecutionFilter): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (clause: string, key: string, value: unknown) => {
    where.push(clause);
    params[key] = value;
  };
  if (filter.instanceId) add('e.instance_id = @instanceId', 'instanceId', filter.instanceId);
  if (filter.workflowId) add('e.workflow_id = @workflowId', 'workflowId', filter.workflowId);
  if (filter.mappingId) add('e.mapping_id = @mappingId', 'mappingId', filter.mappingId);
  if (filter.event) add('e.event = @event', 'event', filter.event);
  if (filter.source) add('e.source = @source', 'source', filter.source);
  if (filter.fromMs !== undefined) add('e.created_at_ms >= @fromMs', 'fromMs', filter.fromMs);
  if (filter.toMs !== undefined) add('e.created_at_ms < @toMs', 'toMs', filter.toMs);
  if (filter.status?.length)
    add('e.status IN (SELECT value FROM json_each(@status))', 'status', JSON.stringify(filter.status));
  const number = filter.search ? parseRunNumber(filter.search) : null;
  if (number) {
    // A run number (`FD-29`, `n8n #812`, `29`): that run, plus, for a bare number, the text search.
    const either = [
      ...(number.localId !== null ? ["(e.source = 'local' AND e.id = @runLocalId)"] : []),
      // Through UNIQUE (instance_id, remote_id), once per instance: no scan of the whole table.
      ...(number.remoteId !== null
        ? ['(e.instance_id IN (SELECT id FROM instances) AND e.remote_id = @runRemoteId)']
        : []),
      ...(number.localId !== null && number.remoteId !== null && ftsQuery(filter.search ?? '')
        ? ['e.id IN (SELECT rowid FROM executions_fts WHERE executions_fts MATCH @search)']
        : []),
    ];
    where.push(`(${either.join(' OR ')})`);
    if (number.localId !== null) params.runLocalId = number.localId;
    if (number.remoteId !== null) params.runRemoteId = number.remoteId;
    if (either.length === 3) params.search = ftsQuery(filter.search ?? '');
  } else if (filter.search && ftsQuery(filter.search))
    add(
      'e.id IN (SELECT rowid FROM executions_fts WHERE executions_fts MATCH @search)',
      'search',
      ftsQuery(filter.search),
    );
  return { where, params };
}

/**
 * The SQL of each sort's key, before the id (src/shared/execution-order.ts says the same in
 * TypeScript; migration 0023 indexes each expression exactly as written here).
 */
const SORT_SQL: Record<ExecutionSort, readonly string[]> = {
  created: ['e.created_at_ms'],
  started: ['COALESCE(e.started_at_ms, e.created_at_ms)'],
  finished: ['COALESCE(e.finished_at_ms, -1)'],
  duration: ['COALESCE(e.duration_ms, -1)'],
  status: ['e.status', 'e.created_at_ms'],
};

const sortValue = (row: ExecutionRow, sort: ExecutionSort): (number | string)[] => {
  switch (sort) {
    case 'created':
      return [row.created_at_ms];
    case 'started':
      return [row.started_at_ms ?? row.created_at_ms];
    case 'finished':
      return [row.finished_at_ms ?? -1];
    case 'duration':
      return [row.duration_ms ?? -1];
    case 'status':
      return [row.status, row.created_at_ms];
  }
};

/** `<sort>.<direction>.<key parts>.<id>`: the position after the last row of a page. */
const cursorOf = (row: ExecutionRow, sort: ExecutionSort, direction: SortDirection) =>
  [sort, direction, ...sortValue(row, sort), row.id].join('.');

const INTEGER = /^-?\d{1,16}$/;

/** The key a cursor points after; refused unless it was made for this very sort and direction. */
function parseCursor(cursor: string, sort: ExecutionSort, direction: SortDirection): (number | string)[] {
  const invalid = () =>
    new AppError(
      'VALIDATION',
      'Invalid cursor: pass the nextCursor of the previous page unchanged, with the same sort and filters.',
    );
  // Cursors from before sorting existed (`<created>.<id>`) still page the default order.
  const legacy = /^(-?\d{1,16})\.(\d{1,16})$/.exec(cursor);
  if (legacy) {
    if (sort !== 'created' || direction !== 'desc') throw invalid();
    return [Number(legacy[1]), Number(legacy[2])];
  }
  const [cursorSort, cursorDirection, ...key] = cursor.split('.');
  if (cursorSort !== sort || cursorDirection !== direction || key.length !== SORT_SQL[sort].length + 1) throw invalid();
  return key.map((part, i) => {
    if (sort === 'status' && i === 0) {
      if (!(EXECUTION_STATUSES as readonly string[]).includes(part)) throw invalid();
      return part;
    }
    if (!INTEGER.test(part)) throw invalid();
    return Number(part);
  });
}

/** The read side of the executions area: list with filters and keyset paging, and detail. */
export function createExecutionsReader(ctx: CoreContext, clients: Clients) {
  const { db } = ctx.store;

  function list(query: Partial<CallArgs<'executions:list'>> & { limit: number }) {
    const sort = query.sort ?? 'created';
    const direction = query.direction ?? 'desc';
    const parts = SORT_SQL[sort];
    const { where, params } = filterClause(query);
    params.limit = query.limit + 1;
    // Every part of the key in one direction: one row-value comparison, one index range.
    const before = direction === 'desc' ? '<' : '>';
    const keyTuple = `(${[...parts, 'e.id'].join(', ')})`;
    if (query.cursor) {
      const key = parseCursor(query.cursor, sort, direction);
      // The first part's bound is implied, but SQLite only seeks an expression index with it
      // (a row value alone scans the index from the top: 20 ms instead of 1 at 100k rows).
      where.push(`${parts[0]} ${before}= @k0`);
      where.push(`${keyTuple} ${before} (${key.map((_, i) => `@k${i}`).join(', ')})`);
      key.forEach((value, i) => (params[`k${i}`] = value));
    }
    if (query.seek !== undefined && !SEEKABLE_SORTS.includes(sort))
      throw new AppError(
        'VALIDATION',
        `Jumping works on the time orders (${SEEKABLE_SORTS.join(', ')}), not when sorted by ${sort}.`,
      );
    if (typeof query.seek === 'number') {
      where.push(`${parts[0]} ${direction === 'desc' ? '<=' : '>='} @seekAt`);
      params.seekAt = query.seek;
    }
    // Runs not yet in the search index are indexed before a search reads it (db/search-index.ts);
    // only once the query is known to be valid, so a refused call changes nothing.
    if (query.search) searchIndex(ctx.store).catchUp();
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const orderBy = (dir: SortDirection) =>
      `ORDER BY ${[...parts, 'e.id'].map((p) => `${p} ${dir.toUpperCase()}`).join(', ')}`;
    if (query.seek === 'oldest' && direction === 'desc') {
      // The oldest page, read from the old end of the index and shown newest first; nothing is older.
      const oldest = db
        .prepare(`${SELECT} ${clause} ${orderBy('asc')} LIMIT @limit`)
        .all({ ...params, limit: query.limit }) as ExecutionRow[];
      return { executions: oldest.reverse().map(toSummary), nextCursor: null };
    }
    const rows = db.prepare(`${SELECT} ${clause} ${orderBy(direction)} LIMIT @limit`).all(params) as ExecutionRow[];
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      executions: page.map(toSummary),
      nextCursor: rows.length > query.limit && last ? cursorOf(last, sort, direction) : null,
    };
  }

  // Prepared once: the live list's push runs after every turn that changed runs.
  const selectByIds = db.prepare(`${SELECT} WHERE e.id IN (SELECT value FROM json_each(?))`);

  /** Summaries of the given rows (the live list's push), in no particular order. */
  function byIds(ids: readonly number[]): ExecutionSummary[] {
    if (ids.length === 0) return [];
    return (selectByIds.all(JSON.stringify(ids)) as ExecutionRow[]).map(toSummary);
  }

  const find = (id: number) => db.prepare(`${DETAIL_SELECT} WHERE e.id = ?`).get(id) as ExecutionRow | undefined;

  /** Detail; for a remote execution, fresh run data from n8n (kept as data_json), else the kept copy. */
  async function get(id: number) {
    const row = find(id);
    if (!row)
      throw new AppError(
        'NOT_FOUND',
        `No execution ${id}: it may have been removed with its instance or by retention.`,
      );
    const stored = row.data_json ? storedSchema.safeParse(JSON.parse(row.data_json)) : undefined;
    const kept = stored?.success ? (stored.data.nodes as NodeRun[]) : null;
    if (row.source !== 'remote' || !row.instance_id || !row.remote_id) {
      return {
        execution: toSummary(row),
        nodes: kept,
        note: kept ? null : 'Per-node data appears once n8n reports this run.',
      };
    }
    try {
      const fresh = await clients.forInstance(row.instance_id).getExecution(row.remote_id, { includeData: true });
      const summary = summarizeRunData(fresh.data);
      if (!summary)
        return {
          execution: toSummary(row),
          nodes: kept,
          note: 'n8n kept no run data for this execution (saved without data, or pruned).',
        };
      const error = summary.error ?? summary.nodes.find((n) => n.error)?.error ?? null;
      ctx.store.write(() =>
        db
          .prepare('UPDATE executions SET data_json = ?, error = COALESCE(?, error) WHERE id = ?')
          .run(JSON.stringify({ nodes: summary.nodes, fetchedAtMs: ctx.clock.now() }), error, id),
      );
      return { execution: toSummary(find(id) ?? row), nodes: summary.nodes, note: null };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const when = stored?.success
        ? ` Showing the copy fetched at ${new Date(stored.data.fetchedAtMs).toISOString()}.`
        : '';
      return { execution: toSummary(row), nodes: kept, note: `${error.message}${when}` };
    }
  }

  return { list, get, byIds };
}

export type ExecutionsReader = ReturnType<typeof createExecutionsReader>;
