import type Database from 'better-sqlite3';
import { GAUGE_NAMES, type GaugeName } from '../../../shared/contract';
import type { Gauges } from './gauges';
import { DAY_MS, type MetricsQueries } from './metrics-query';

/** Label values escaped as the text exposition format 0.0.4 requires. */
const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

const GAUGE_METRIC: Record<GaugeName, string> = {
  queueDepth: 'flightdeck_queue_depth',
  approvalsPending: 'flightdeck_approvals_pending',
  deadLetters: 'flightdeck_dead_letters',
};

const OUTCOMES = ['succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected'] as const;

/**
 * The Prometheus text exposition of Flightdeck's metrics. Counters come from the day rollups,
 * so they cover the retained history and drop when retention deletes old days (Prometheus
 * treats a drop as a counter reset). Duration quantiles cover the last hour per workflow.
 */
export function createPrometheusExporter(db: Database.Database, queries: MetricsQueries, gauges: Gauges) {
  const totals = db.prepare(`SELECT instance_id, workflow_id, SUM(succeeded) AS succeeded, SUM(failed) AS failed,
      SUM(dead_lettered) AS dead_lettered, SUM(canceled) AS canceled, SUM(rejected) AS rejected
    FROM metric_rollups WHERE grain_ms = ${DAY_MS} GROUP BY instance_id, workflow_id ORDER BY instance_id, workflow_id`);
  const openAlerts = db.prepare("SELECT COUNT(*) FROM alerts WHERE state = 'open'").pluck();

  return function render(now: number): string {
    const out: string[] = [];
    const rows = totals.all() as ({ instance_id: string; workflow_id: string } & Record<string, number>)[];

    out.push('# HELP flightdeck_executions_total Finished executions by outcome (retained history).');
    out.push('# TYPE flightdeck_executions_total counter');
    for (const row of rows) {
      for (const outcome of OUTCOMES) {
        const l = labels({ instance: row.instance_id, workflow: row.workflow_id, outcome });
        out.push(`flightdeck_executions_total${l} ${row[outcome] ?? 0}`);
      }
    }

    out.push('# HELP flightdeck_execution_duration_ms Run time over the last hour (nearest-rank quantiles).');
    out.push('# TYPE flightdeck_execution_duration_ms summary');
    for (const row of rows) {
      const scope = {
        ...(row.instance_id ? { instanceId: row.instance_id } : {}),
        ...(row.workflow_id ? { workflowId: row.workflow_id } : {}),
      };
      const s = queries.summary({ range: '1h', ...scope }, now);
      if (s.durationCount === 0) continue;
      const base = { instance: row.instance_id, workflow: row.workflow_id };
      for (const [q, value] of [
        ['0.5', s.p50Ms],
        ['0.95', s.p95Ms],
        ['0.99', s.p99Ms],
      ] as const) {
        out.push(`flightdeck_execution_duration_ms${labels({ ...base, quantile: q })} ${num(value ?? NaN)}`);
      }
      out.push(`flightdeck_execution_duration_ms_sum${labels(base)} ${num((s.avgDurationMs ?? 0) * s.durationCount)}`);
      out.push(`flightdeck_execution_duration_ms_count${labels(base)} ${s.durationCount}`);
    }

    for (const name of GAUGE_NAMES) {
      const value = gauges.current(name);
      if (value === null) continue;
      out.push(`# TYPE ${GAUGE_METRIC[name]} gauge`, `${GAUGE_METRIC[name]} ${num(value)}`);
    }

    out.push('# HELP flightdeck_alerts_open Alerts currently open.');
    out.push('# TYPE flightdeck_alerts_open gauge');
    out.push(`flightdeck_alerts_open ${openAlerts.get() as number}`);
    return out.join('\n') + '\n';
  };
}
