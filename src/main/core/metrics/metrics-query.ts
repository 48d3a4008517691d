import type Database from 'better-sqlite3';
import {
  RANGE_MS,
  TERMINAL_STATUSES,
  type MetricsPoint,
  type MetricsQuery,
  type MetricsSeries,
  type MetricsSummary,
} from '../../../shared/contract';
import {
  binSql,
  exactPercentile,
  HISTOGRAM_ERROR_BOUND,
  histogramPercentile,
  mergeInto,
  type Histogram,
} from './histogram';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Ranges whose rollups hold at most this many executions are computed from the raw rows, so
 * their percentiles are exact; larger ones read the rollups (counts exact, percentiles within
 * HISTOGRAM_ERROR_BOUND). The estimate is taken from the day rollups around the range.
 */
export const EXACT_ROW_LIMIT = 10_000;

/** Series aim for at most this many points; steps come from STEPS. */
const MAX_POINTS = 40;
const STEPS = [
  60_000,
  120_000,
  300_000,
  600_000,
  900_000,
  1_800_000,
  HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
  7 * DAY_MS,
  30 * DAY_MS,
];

const TERMINAL_SQL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ');

export interface Scope {
  instanceId?: string | undefined;
  workflowId?: string | undefined;
  mappingId?: string | undefined;
}

/** Counts and sums that add up across buckets. */
export interface Aggregate {
  total: number;
  succeeded: number;
  failed: number;
  deadLettered: number;
  canceled: number;
  rejected: number;
  durationCount: number;
  durationSumMs: number;
  queueWaitCount: number;
  queueWaitSumMs: number;
  /** Webhook calls (local runs) and n8n executions, superseded runs included. */
  attempts: number;
  /** Of those, the ones n8n did not take (no 2xx) or that failed in n8n. */
  failedAttempts: number;
}

const AGG_KEYS: (keyof Aggregate)[] = [
  'total',
  'succeeded',
  'failed',
  'deadLettered',
  'canceled',
  'rejected',
  'durationCount',
  'durationSumMs',
  'queueWaitCount',
  'queueWaitSumMs',
  'attempts',
  'failedAttempts',
];

const emptyAggregate = (): Aggregate => ({
  total: 0,
  succeeded: 0,
  failed: 0,
  deadLettered: 0,
  canceled: 0,
  rejected: 0,
  durationCount: 0,
  durationSumMs: 0,
  queueWaitCount: 0,
  queueWaitSumMs: 0,
  attempts: 0,
  failedAttempts: 0,
});

function addInto(target: Aggregate, row: Partial<Record<keyof Aggregate, number | null>>, sign = 1): void {
  for (const key of AGG_KEYS) target[key] += sign * (row[key] ?? 0);
}

/**
 * Per run, not per attempt (0013_metrics_per_run.sql holds the same definitions for the rollups):
 * a terminal row counts as a run unless a retry superseded it (the run lives on in its newest
 * retry); every terminal row counts its attempts.
 */
const IS_RUN = 'superseded_by_id IS NULL';
const ATTEMPTS_SQL = `(CASE WHEN source = 'remote' THEN 1 ELSE attempts END)`;
const FAILED_ATTEMPTS_SQL = `(CASE WHEN source = 'remote' THEN status = 'failed'
  ELSE max(attempts - (coalesce(response_status, 0) BETWEEN 200 AND 299), 0) END)`;

/** SELECT list producing an Aggregate from the raw executions table (terminal rows). */
const RAW_AGG_SQL = `coalesce(SUM(${IS_RUN}), 0) AS total, SUM(${IS_RUN} AND status = 'succeeded') AS succeeded,
  SUM(${IS_RUN} AND status = 'failed') AS failed, SUM(${IS_RUN} AND status = 'dead_lettered') AS deadLettered,
  SUM(${IS_RUN} AND status = 'canceled') AS canceled, SUM(${IS_RUN} AND status = 'rejected') AS rejected,
  COUNT(CASE WHEN ${IS_RUN} THEN duration_ms END) AS durationCount,
  SUM(CASE WHEN ${IS_RUN} THEN duration_ms END) AS durationSumMs,
  COUNT(CASE WHEN ${IS_RUN} THEN queue_wait_ms END) AS queueWaitCount,
  SUM(CASE WHEN ${IS_RUN} THEN queue_wait_ms END) AS queueWaitSumMs,
  SUM(${ATTEMPTS_SQL}) AS attempts, SUM(${FAILED_ATTEMPTS_SQL}) AS failedAttempts`;

/** One rollup row with its histogram; summed in JS (a few hundred rows for a 30-day dashboard). */
const ROLLUP_ROW_SQL = `grain_ms AS g, bucket_ms AS t, instance_id AS i, workflow_id AS w, mapping_id AS m, revision, total, succeeded, failed, dead_lettered AS deadLettered, canceled, rejected,
  duration_count AS durationCount, duration_sum_ms AS durationSumMs, queue_wait_count AS queueWaitCount,
  queue_wait_sum_ms AS queueWaitSumMs, attempts, failed_attempts AS failedAttempts, hist_json AS hist`;

type RollupRow = Aggregate & { g: number; t: number; i: string; w: string; m: string; revision: number; hist: string };

/**
 * Parsed rollup histograms, kept until their row's revision moves (the triggers stamp every
 * change with a new metric_state.version). Parsing JSON is most of a large dashboard's cost;
 * past days rarely change, so most rows are parsed once. Bounded: cleared when it grows large.
 */
const MAX_CACHED_HISTOGRAMS = 200_000;
type ParsedHistogram = { revision: number; pairs: Int32Array };

function createHistogramCache() {
  const cache = new Map<string, ParsedHistogram>();
  return function histogramOf(row: RollupRow): Int32Array {
    const key = `${row.g}|${row.t}|${row.i}|${row.w}|${row.m}`;
    const hit = cache.get(key);
    if (hit && hit.revision === row.revision) return hit.pairs;
    const entries = Object.entries(JSON.parse(row.hist) as Record<string, number>);
    const pairs = new Int32Array(entries.length * 2);
    entries.forEach(([bin, count], i) => {
      pairs[2 * i] = Number(bin);
      pairs[2 * i + 1] = count;
    });
    if (cache.size >= MAX_CACHED_HISTOGRAMS) cache.clear();
    cache.set(key, { revision: row.revision, pairs });
    return pairs;
  };
}

/** Adds (or with sign -1, takes away) a histogram stored as [bin, count, bin, count, …]. */
function mergePairs(target: Histogram, pairs: Int32Array, sign = 1): void {
  for (let i = 0; i < pairs.length; i += 2) mergeInto(target, pairs[i]!, sign * pairs[i + 1]!);
}

/**
 * The scope's filters. An empty id means "none" (the "(no workflow)" row): the rollups store
 * it as '', the raw executions as NULL, so raw SQL asks `IS NULL` there.
 */
function scopeWhere(scope: Scope, raw: boolean): string {
  const filter = (value: string | undefined, column: string, key: string) =>
    value === undefined ? '' : raw && value === '' ? `AND ${column} IS NULL` : `AND ${column} = @${key}`;
  return [
    filter(scope.instanceId, 'instance_id', 'instanceId'),
    filter(scope.workflowId, 'workflow_id', 'workflowId'),
    filter(scope.mappingId, 'mapping_id', 'mappingId'),
  ].join(' ');
}

const scopeParams = (scope: Scope) => ({
  ...(scope.instanceId !== undefined ? { instanceId: scope.instanceId } : {}),
  ...(scope.workflowId !== undefined ? { workflowId: scope.workflowId } : {}),
  ...(scope.mappingId !== undefined ? { mappingId: scope.mappingId } : {}),
});

/** The absolute window of a query: presets end at `now`. */
export function resolveRange(query: Pick<MetricsQuery, 'range' | 'fromMs' | 'toMs'>, now: number) {
  if (query.range === 'custom') return { fromMs: query.fromMs ?? 0, toMs: query.toMs ?? now };
  return { fromMs: now - RANGE_MS[query.range], toMs: now };
}

export function chooseStep(spanMs: number): number {
  return STEPS.find((step) => Math.ceil(spanMs / step) <= MAX_POINTS) ?? STEPS[STEPS.length - 1]!;
}

/** The shortest period a throughput is computed over: one run is not "infinitely many per hour". */
export const MIN_COVERED_MS = 60_000;

/**
 * Runs per hour over the period the data covers: from the first run to the last one created in
 * the range (at least MIN_COVERED_MS, kept inside the range), never the range's nominal length.
 * 76 runs created within 10 minutes of a 24 h view are 456/h, not 3.17/h.
 */
export function throughput(
  runs: number,
  span: [number, number] | null,
  fromMs: number,
  toMs: number,
): { throughputPerHour: number; coveredFromMs: number | null; coveredToMs: number | null } {
  if (runs === 0 || !span) return { throughputPerHour: 0, coveredFromMs: null, coveredToMs: null };
  let [from, to] = span;
  if (to - from < MIN_COVERED_MS) {
    to = Math.min(toMs, from + MIN_COVERED_MS);
    from = Math.max(fromMs, to - MIN_COVERED_MS);
  }
  const covered = Math.max(1, to - from);
  return { throughputPerHour: (runs * HOUR_MS) / covered, coveredFromMs: from, coveredToMs: to };
}

const floorTo = (t: number, step: number) => t - (((t % step) + step) % step);
const ceilTo = (t: number, step: number) => floorTo(t + step - 1, step);

interface RawRow {
  created: number;
  status: string;
  duration: number | null;
  queueWait: number | null;
  /** 1 unless a retry superseded this row. */
  run: number;
  attempts: number;
  failedAttempts: number;
}

/** Turns an aggregate and its durations (sorted list or histogram) into the summary fields. */
function describe(agg: Aggregate, percentile: (p: number) => number | null) {
  const judged = agg.succeeded + agg.failed + agg.deadLettered;
  const errors = agg.failed + agg.deadLettered;
  return {
    total: agg.total,
    succeeded: agg.succeeded,
    failed: agg.failed,
    deadLettered: agg.deadLettered,
    canceled: agg.canceled,
    rejected: agg.rejected,
    errorRate: judged ? errors / judged : null,
    successRate: judged ? agg.succeeded / judged : null,
    attempts: agg.attempts,
    failedAttempts: agg.failedAttempts,
    durationCount: agg.durationCount,
    p50Ms: percentile(50),
    p95Ms: percentile(95),
    p99Ms: percentile(99),
    avgDurationMs: agg.durationCount ? agg.durationSumMs / agg.durationCount : null,
    avgQueueWaitMs: agg.queueWaitCount ? agg.queueWaitSumMs / agg.queueWaitCount : null,
    queueWaitCount: agg.queueWaitCount,
  };
}

function aggregateRows(rows: RawRow[]): { agg: Aggregate; sorted: number[] } {
  const agg = emptyAggregate();
  const durations: number[] = [];
  for (const row of rows) {
    agg.attempts += row.attempts;
    agg.failedAttempts += row.failedAttempts;
    if (!row.run) continue;
    agg.total++;
    if (row.status === 'succeeded') agg.succeeded++;
    else if (row.status === 'failed') agg.failed++;
    else if (row.status === 'dead_lettered') agg.deadLettered++;
    else if (row.status === 'canceled') agg.canceled++;
    else if (row.status === 'rejected') agg.rejected++;
    if (row.duration !== null) {
      agg.durationCount++;
      agg.durationSumMs += row.duration;
      durations.push(row.duration);
    }
    if (row.queueWait !== null) {
      agg.queueWaitCount++;
      agg.queueWaitSumMs += row.queueWait;
    }
  }
  return { agg, sorted: durations.sort((a, b) => a - b) };
}

const toPoint = (tMs: number, d: ReturnType<typeof describe>): MetricsPoint => ({
  tMs,
  total: d.total,
  succeeded: d.succeeded,
  failed: d.failed,
  deadLettered: d.deadLettered,
  errorRate: d.errorRate,
  p50Ms: d.p50Ms,
  p95Ms: d.p95Ms,
  p99Ms: d.p99Ms,
  avgDurationMs: d.avgDurationMs,
  avgQueueWaitMs: d.avgQueueWaitMs,
  attempts: d.attempts,
  failedAttempts: d.failedAttempts,
});

/** Read side of the metrics: summaries and series over raw rows or rollups. */
export function createMetricsQueries(db: Database.Database, options: { exactRowLimit?: number } = {}) {
  const exactRowLimit = options.exactRowLimit ?? EXACT_ROW_LIMIT;
  const histogramOf = createHistogramCache();
  const where = (scope: Scope) => `created_at_ms >= @from AND created_at_ms < @to
    AND status IN (${TERMINAL_SQL}) ${scopeWhere(scope, true)}`;
  const rollupWhere = (scope: Scope) =>
    `grain_ms = @grain AND bucket_ms >= @from AND bucket_ms < @to ${scopeWhere(scope, false)}`;
  // Statements are cached per SQL text: the scope filters make a handful of variants.
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };

  function estimateRows(fromMs: number, toMs: number, scope: Scope): number {
    const sql = `SELECT coalesce(SUM(total), 0) FROM metric_rollups WHERE ${rollupWhere(scope)}`;
    const params = { grain: DAY_MS, from: floorTo(fromMs, DAY_MS), to: ceilTo(toMs, DAY_MS), ...scopeParams(scope) };
    return prepared(sql).pluck().get(params) as number;
  }

  function rawRows(fromMs: number, toMs: number, scope: Scope): RawRow[] {
    const sql = `SELECT created_at_ms AS created, status, duration_ms AS duration, queue_wait_ms AS queueWait,
        ${IS_RUN} AS run, ${ATTEMPTS_SQL} AS attempts, ${FAILED_ATTEMPTS_SQL} AS failedAttempts
      FROM executions WHERE ${where(scope)}`;
    return prepared(sql).all({ from: fromMs, to: toMs, ...scopeParams(scope) }) as RawRow[];
  }

  /** Adds the raw rows of [from, to) to an aggregate and histogram, in SQL. */
  function addRaw(agg: Aggregate, hist: Histogram, from: number, to: number, scope: Scope): void {
    if (to <= from) return;
    const params = { from, to, ...scopeParams(scope) };
    addInto(agg, prepared(`SELECT ${RAW_AGG_SQL} FROM executions WHERE ${where(scope)}`).get(params) as Aggregate);
    const bins = `SELECT ${binSql('duration_ms')} AS bin, COUNT(*) AS n FROM executions
      WHERE ${where(scope)} AND ${IS_RUN} AND duration_ms IS NOT NULL GROUP BY bin`;
    for (const row of prepared(bins).all(params) as { bin: number; n: number }[]) mergeInto(hist, row.bin, row.n);
  }

  function addRollup(
    agg: Aggregate,
    hist: Histogram,
    grain: number,
    [from, to]: [number, number],
    scope: Scope,
    sign = 1,
  ): void {
    if (to <= from) return;
    const params = { grain, from, to, ...scopeParams(scope) };
    const sql = `SELECT ${ROLLUP_ROW_SQL} FROM metric_rollups WHERE ${rollupWhere(scope)}`;
    for (const row of prepared(sql).all(params) as RollupRow[]) {
      addInto(agg, row, sign);
      mergePairs(hist, histogramOf(row), sign);
    }
  }

  /**
   * Whole hours [from, to) inside one UTC day. More than half a day is read as the day's rollup
   * minus its other hours: both grains hold the same rows, so the difference is exact and
   * reads at most 12 hour rows per workflow instead of 23.
   */
  function addHoursOfDay(agg: Aggregate, hist: Histogram, from: number, to: number, scope: Scope): void {
    if (to - from <= 12 * HOUR_MS) return addRollup(agg, hist, HOUR_MS, [from, to], scope);
    const day = floorTo(from, DAY_MS);
    addRollup(agg, hist, DAY_MS, [day, day + DAY_MS], scope);
    addRollup(agg, hist, HOUR_MS, [day, from], scope, -1);
    addRollup(agg, hist, HOUR_MS, [to, day + DAY_MS], scope, -1);
  }

  /**
   * A large range from rollups: partial hours at the edges from raw rows, whole hours from the
   * hour rollups, whole UTC days from the day rollups. Counts stay exact.
   */
  function fromRollups(fromMs: number, toMs: number, scope: Scope): { agg: Aggregate; hist: Histogram } {
    const agg = emptyAggregate();
    const hist: Histogram = new Map();
    const h0 = ceilTo(fromMs, HOUR_MS);
    const h1 = floorTo(toMs, HOUR_MS);
    if (h0 >= h1) {
      addRaw(agg, hist, fromMs, toMs, scope);
      return { agg, hist };
    }
    addRaw(agg, hist, fromMs, h0, scope);
    addRaw(agg, hist, h1, toMs, scope);
    const d0 = ceilTo(h0, DAY_MS);
    const d1 = floorTo(h1, DAY_MS);
    if (d0 <= d1) {
      addHoursOfDay(agg, hist, h0, d0, scope);
      addRollup(agg, hist, DAY_MS, [d0, d1], scope);
      addHoursOfDay(agg, hist, d1, h1, scope);
    } else {
      addHoursOfDay(agg, hist, h0, h1, scope);
    }
    return { agg, hist };
  }

  /** Creation times of the first and the last run in [from, to): two index probes. */
  function firstAndLast(fromMs: number, toMs: number, scope: Scope): [number, number] | null {
    const params = { from: fromMs, to: toMs, ...scopeParams(scope) };
    const probe = (order: 'ASC' | 'DESC') =>
      prepared(
        `SELECT created_at_ms FROM executions WHERE ${where(scope)} AND ${IS_RUN} ORDER BY created_at_ms ${order} LIMIT 1`,
      )
        .pluck()
        .get(params) as number | undefined;
    const first = probe('ASC');
    const last = probe('DESC');
    return first === undefined || last === undefined ? null : [first, last];
  }

  function summary(query: MetricsQuery, now: number): MetricsSummary {
    const { fromMs, toMs } = resolveRange(query, now);
    // One read transaction: every part of the answer sees the same snapshot of the store.
    return db.transaction((): MetricsSummary => {
      const span = firstAndLast(fromMs, toMs, query);
      if (estimateRows(fromMs, toMs, query) <= exactRowLimit) {
        const { agg, sorted } = aggregateRows(rawRows(fromMs, toMs, query));
        const d = describe(agg, (p) => exactPercentile(sorted, p));
        return {
          fromMs,
          toMs,
          exact: true,
          percentileErrorBound: 0,
          ...throughput(agg.total, span, fromMs, toMs),
          ...d,
        };
      }
      const { agg, hist } = fromRollups(fromMs, toMs, query);
      const d = describe(agg, (p) => histogramPercentile(hist, p));
      return {
        fromMs,
        toMs,
        exact: false,
        percentileErrorBound: HISTOGRAM_ERROR_BOUND,
        ...throughput(agg.total, span, fromMs, toMs),
        ...d,
      };
    })();
  }

  /** Points aligned to multiples of the step, covering the range; empty buckets included. */
  function series(query: MetricsQuery, now: number): MetricsSeries {
    const { fromMs, toMs } = resolveRange(query, now);
    const stepMs = chooseStep(toMs - fromMs);
    const start = floorTo(fromMs, stepMs);
    const end = ceilTo(toMs, stepMs);
    const times: number[] = [];
    for (let t = start; t < end; t += stepMs) times.push(t);

    if (estimateRows(start, end, query) <= exactRowLimit) {
      const byPoint = new Map<number, RawRow[]>(times.map((t) => [t, []]));
      for (const row of rawRows(start, end, query)) byPoint.get(floorTo(row.created, stepMs))?.push(row);
      const points = times.map((t) => {
        const { agg, sorted } = aggregateRows(byPoint.get(t) ?? []);
        return toPoint(
          t,
          describe(agg, (p) => exactPercentile(sorted, p)),
        );
      });
      return { stepMs, exact: true, points };
    }
    const grouped = groupedSeries(start, end, stepMs, query);
    const points = times.map((t) => {
      const cell = grouped.get(t) ?? { agg: emptyAggregate(), hist: new Map() };
      return toPoint(
        t,
        describe(cell.agg, (p) => histogramPercentile(cell.hist, p)),
      );
    });
    return { stepMs, exact: false, points };
  }

  /** Sub-hour steps: grouped over raw rows in SQL. Whole hours or days: rollup rows merged here. */
  function groupedSeries(start: number, end: number, stepMs: number, scope: Scope) {
    const cells = new Map<number, { agg: Aggregate; hist: Histogram }>();
    const cell = (t: number) => {
      let c = cells.get(t);
      if (!c) cells.set(t, (c = { agg: emptyAggregate(), hist: new Map() }));
      return c;
    };
    const params = { from: start, to: end, step: stepMs, ...scopeParams(scope) };
    if (stepMs % HOUR_MS === 0) {
      const grain = stepMs % DAY_MS === 0 ? DAY_MS : HOUR_MS;
      const sql = `SELECT ${ROLLUP_ROW_SQL} FROM metric_rollups WHERE ${rollupWhere(scope)}`;
      for (const row of prepared(sql).all({ ...params, grain }) as RollupRow[]) {
        const c = cell(floorTo(row.t, stepMs));
        addInto(c.agg, row);
        mergePairs(c.hist, histogramOf(row));
      }
      return cells;
    }
    const t = 'created_at_ms - (created_at_ms % @step)';
    const aggSql = `SELECT ${t} AS t, ${RAW_AGG_SQL} FROM executions WHERE ${where(scope)} GROUP BY t`;
    const binsSql = `SELECT ${t} AS t, ${binSql('duration_ms')} AS bin, COUNT(*) AS n FROM executions
      WHERE ${where(scope)} AND ${IS_RUN} AND duration_ms IS NOT NULL GROUP BY t, bin`;
    for (const row of prepared(aggSql).all(params) as (Aggregate & { t: number })[]) addInto(cell(row.t).agg, row);
    for (const row of prepared(binsSql).all(params) as { t: number; bin: number; n: number }[]) {
      mergeInto(cell(row.t).hist, row.bin, row.n);
    }
    return cells;
  }

  return { summary, series, estimateRows, resolveRange };
}

export type MetricsQueries = ReturnType<typeof createMetricsQueries>;
