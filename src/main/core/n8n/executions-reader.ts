import { z } from 'zod';
import type {
  CallArgs,
  ExecutionFilter,
  ExecutionStatus,
  ExecutionSummary,
  NodeRun,
  RetryKind,
} from '../../../shared/contract';
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
  e.created_at_ms, e.started_at_ms, e.finished_at_ms, e.duration_ms, e.updated_at_ms, e.retry_kind, e.unconfirmed_at_ms`;
const FROM = `w.name AS workflow_name, ${RUN_REF_SQL('r')} AS retry_of_ref, ${RUN_REF_SQL('s')} AS superseded_by_ref
  FROM executions e
  LEFT JOIN workflows w ON w.instance_id = e.instance_id AND w.id = e.workflow_id
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

/** The read side of the executions area: list with filters and keyset paging, and detail. */
export function createExecutionsReader(ctx: CoreContext, clients: Clients) {
  const { db } = ctx.store;

  function list(query: Partial<CallArgs<'executions:list'>> & { limit: number }) {
    // Runs not yet in the search index are indexed before a search reads it (db/search-index.ts).
    if (query.search) searchIndex(ctx.store).catchUp();
    const { where, params } = filterClause(query);
    params.limit = query.limit + 1;
    if (query.cursor) {
      const match = /^(-?\d+)\.(\d+)$/.exec(query.cursor);
      if (!match)
        throw new AppError('VALIDATION', 'Invalid cursor: pass the nextCursor of the previous page unchanged.');
      where.push('(e.created_at_ms < @cAt OR (e.created_at_ms = @cAt AND e.id < @cId))');
      params.cAt = Number(match[1]);
      params.cId = Number(match[2]);
    }
    if (typeof query.seek === 'number') {
      where.push('e.created_at_ms <= @seekAt');
      params.seekAt = query.seek;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    if (query.seek === 'oldest') {
      // The oldest page, read from the old end of the index and shown newest first; nothing is older.
      const oldest = db
        .prepare(`${SELECT} ${clause} ORDER BY e.created_at_ms ASC, e.id ASC LIMIT @limit`)
        .all({ ...params, limit: query.limit }) as ExecutionRow[];
      return { executions: oldest.reverse().map(toSummary), nextCursor: null };
    }
    const rows = db
      .prepare(`${SELECT} ${clause} ORDER BY e.created_at_ms DESC, e.id DESC LIMIT @limit`)
      .all(params) as ExecutionRow[];
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      executions: page.map(toSummary),
      nextCursor: rows.length > query.limit && last ? `${last.created_at_ms}.${last.id}` : null,
    };
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

  return { list, get };
}

export type ExecutionsReader = ReturnType<typeof createExecutionsReader>;
