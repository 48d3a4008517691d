import type Database from 'better-sqlite3';
import {
  TERMINAL_STATUSES,
  type CallArgs,
  type CallOutput,
  type DrilldownExecution,
  type ExecutionStatus,
} from '../../../shared/contract';
import type { NameDirectory } from '../alerts/names';
import { parseRunRef, RUN_REF_SQL } from '../dispatch/run-lineage';
import { chooseStep, DAY_MS, HOUR_MS, resolveRange, type MetricsQueries } from './metrics-query';

interface DrillRow {
  id: number;
  status: ExecutionStatus;
  source: 'local' | 'remote';
  instance_id: string | null;
  workflow_id: string | null;
  mapping_id: string | null;
  remote_id: string | null;
  superseded_by_ref: string | null;
  created_at_ms: number;
  duration_ms: number | null;
  queue_wait_ms: number | null;
  error: string | null;
}

const toExecution = (row: DrillRow): DrilldownExecution => ({
  id: row.id,
  status: row.status,
  source: row.source,
  instanceId: row.instance_id,
  workflowId: row.workflow_id,
  mappingId: row.mapping_id,
  remoteId: row.remote_id,
  supersededBy: parseRunRef(row.superseded_by_ref),
  createdAtMs: row.created_at_ms,
  durationMs: row.duration_ms,
  queueWaitMs: row.queue_wait_ms,
  error: row.error,
});

/** Drill-down, the scope pickers and the per-workflow table. */
export function createMetricsExplorer(db: Database.Database, queries: MetricsQueries, names: NameDirectory) {
  function drilldown(args: CallArgs<'metrics:drilldown'>): CallOutput<'metrics:drilldown'> {
    const statuses = args.statuses ?? [...TERMINAL_STATUSES];
    const params: Record<string, unknown> = { from: args.fromMs, to: args.toMs, limit: args.limit };
    statuses.forEach((s, i) => (params[`s${i}`] = s));
    const filters = [
      'e.created_at_ms >= @from AND e.created_at_ms < @to',
      `e.status IN (${statuses.map((_, i) => `@s${i}`).join(', ')})`,
      // The chart counts runs: a retried run is behind the point of its newest retry.
      ...(args.includeSuperseded ? [] : ['e.superseded_by_id IS NULL']),
    ];
    for (const [key, column] of [
      ['instanceId', 'instance_id'],
      ['workflowId', 'workflow_id'],
      ['mappingId', 'mapping_id'],
    ] as const) {
      if (args[key] === undefined) continue;
      filters.push(`e.${column} = @${key}`);
      params[key] = args[key];
    }
    const where = filters.join(' AND ');
    const rows = db
      .prepare(
        `SELECT e.id, e.status, e.source, e.instance_id, e.workflow_id, e.mapping_id, e.remote_id,
          ${RUN_REF_SQL('s')} AS superseded_by_ref, e.created_at_ms, e.duration_ms, e.queue_wait_ms, e.error
        FROM executions e LEFT JOIN executions s ON s.id = e.superseded_by_id
        WHERE ${where} ORDER BY e.created_at_ms DESC, e.id DESC LIMIT @limit`,
      )
      .all(params) as DrillRow[];
    const { limit: _limit, ...countParams } = params;
    const total = db.prepare(`SELECT COUNT(*) FROM executions e WHERE ${where}`).pluck().get(countParams) as number;
    return { executions: rows.map(toExecution), total };
  }

  const dimensionRows = db.prepare(
    `SELECT DISTINCT instance_id AS instanceId, workflow_id AS workflowId FROM metric_rollups
     WHERE grain_ms = ${DAY_MS} AND total > 0 ORDER BY instance_id, workflow_id`,
  );
  const mappingRows = db
    .prepare(
      `SELECT DISTINCT mapping_id FROM metric_rollups WHERE grain_ms = ${DAY_MS} AND total > 0 AND mapping_id != ''
       ORDER BY mapping_id`,
    )
    .pluck();

  function dimensions(): CallOutput<'metrics:dimensions'> {
    const workflows = dimensionRows.all() as { instanceId: string; workflowId: string }[];
    return {
      instances: [...new Set(workflows.map((w) => w.instanceId).filter(Boolean))],
      workflows: workflows.filter((w) => w.workflowId !== ''),
      mappings: mappingRows.all() as string[],
    };
  }

  /**
   * Per instance+workflow: the summary of the range, and a sparkline of counts per step. Counts
   * per aligned bucket are exact from the rollups whenever the step is a whole number of hours.
   */
  function workflows(args: CallArgs<'metrics:workflows'>, now: number): CallOutput<'metrics:workflows'> {
    const { fromMs, toMs } = resolveRange(args, now);
    const step = chooseStep(toMs - fromMs);
    const start = fromMs - (fromMs % step);
    const end = toMs % step === 0 ? toMs : toMs - (toMs % step) + step;
    const hourly = step % HOUR_MS === 0;
    const t = hourly ? 'bucket_ms - (bucket_ms % @step)' : 'created_at_ms - (created_at_ms % @step)';
    const sql = hourly
      ? `SELECT instance_id AS i, workflow_id AS w, ${t} AS t, SUM(total) AS n FROM metric_rollups
         WHERE grain_ms = @grain AND bucket_ms >= @from AND bucket_ms < @to ${args.instanceId ? 'AND instance_id = @instanceId' : ''}
         GROUP BY i, w, t`
      : `SELECT coalesce(instance_id, '') AS i, coalesce(workflow_id, '') AS w, ${t} AS t, SUM(superseded_by_id IS NULL) AS n FROM executions
         WHERE created_at_ms >= @from AND created_at_ms < @to AND status IN (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})
         ${args.instanceId ? 'AND instance_id = @instanceId' : ''} GROUP BY i, w, t`;
    const params = {
      from: start,
      to: end,
      step,
      ...(hourly ? { grain: step % DAY_MS === 0 ? DAY_MS : HOUR_MS } : {}),
      ...(args.instanceId ? { instanceId: args.instanceId } : {}),
    };
    const counts = new Map<string, { instanceId: string; workflowId: string; byT: Map<number, number> }>();
    for (const row of db.prepare(sql).all(params) as { i: string; w: string; t: number; n: number }[]) {
      if (row.n <= 0) continue;
      const key = JSON.stringify([row.i, row.w]);
      let entry = counts.get(key);
      if (!entry) counts.set(key, (entry = { instanceId: row.i, workflowId: row.w, byT: new Map() }));
      entry.byT.set(row.t, (entry.byT.get(row.t) ?? 0) + row.n);
    }
    const times: number[] = [];
    for (let at = start; at < end; at += step) times.push(at);
    const range = args.range === 'custom' ? args : { range: args.range };
    return {
      workflows: [...counts.values()]
        .map((entry) => {
          // '' is "none" (runs without an instance or workflow): scoped as such, not unscoped,
          // or the "(no workflow)" row would count every run.
          const scope = { instanceId: entry.instanceId, workflowId: entry.workflowId };
          return {
            instanceId: entry.instanceId,
            workflowId: entry.workflowId,
            instanceName: entry.instanceId ? names.instance(entry.instanceId) : null,
            workflowName: entry.workflowId ? names.workflow(entry.instanceId || null, entry.workflowId) : null,
            summary: queries.summary({ ...range, ...scope }, now),
            spark: times.map((at) => entry.byT.get(at) ?? 0),
          };
        })
        .filter((w) => w.summary.total > 0)
        .sort((a, b) => b.summary.total - a.summary.total),
    };
  }

  return { drilldown, dimensions, workflows };
}
