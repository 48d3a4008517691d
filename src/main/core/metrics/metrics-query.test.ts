import { afterEach, describe, expect, it } from 'vitest';
import { binOf, binSql, binValue, exactPercentile, HISTOGRAM_ERROR_BOUND, histogramPercentile } from './histogram';
import { createMetricsQueries, HOUR_MS, DAY_MS } from './metrics-query';
import { createRollupBatch } from './rollup-batch';
import { insertExecutions, type SeedExecution } from '../testing/seed-executions';
import { metricsOnDisk } from '../testing/metrics-kit';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function setup() {
  const t = metricsOnDisk();
  cleanups.push(t.cleanup);
  return t;
}

const MIN = 60_000;

/**
 * The hand-computed dataset. `now` is 2026-01-10 12:00 UTC.
 * Workflow wf-a on i1 (mapping m1), last hour: durations 100…1000 ms (ten runs, 8 succeeded,
 * 2 failed), queue waits 10 and 30 on two of them, plus one canceled run without a duration
 * and one still running (not counted).
 *   total 11 · succeeded 8 · failed 2 · canceled 1 · errorRate 2/10
 *   throughput 11 runs over the 45 min they cover (−50 min … −5 min) = 14.67/h
 *   p50 = rank ceil(0.50·10) = 5 → 500 · p95 = rank ceil(9.5) = 10 → 1000 · p99 → 1000
 *   avg duration 5500/10 = 550 · avg queue wait (10+30)/2 = 20
 * Workflow wf-b on i2, two hours ago: 5 ms succeeded, 50 ms dead-lettered.
 */
function seedHandDataset(db: Parameters<typeof insertExecutions>[0], now: number) {
  const a: SeedExecution[] = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].map((d, i) => ({
    status: i === 3 || i === 7 ? 'failed' : 'succeeded',
    createdAtMs: now - 50 * MIN + i * MIN,
    durationMs: d,
    queueWaitMs: i === 0 ? 10 : i === 1 ? 30 : null,
    instanceId: 'i1',
    workflowId: 'wf-a',
    mappingId: 'm1',
  }));
  a.push({ status: 'canceled', createdAtMs: now - 5 * MIN, instanceId: 'i1', workflowId: 'wf-a', mappingId: 'm1' });
  a.push({ status: 'running', createdAtMs: now - 4 * MIN, instanceId: 'i1', workflowId: 'wf-a', durationMs: 99999 });
  const b: SeedExecution[] = [
    { status: 'succeeded', createdAtMs: now - 2 * HOUR_MS, durationMs: 5, instanceId: 'i2', workflowId: 'wf-b' },
    {
      status: 'dead_lettered',
      createdAtMs: now - 2 * HOUR_MS + MIN,
      durationMs: 50,
      instanceId: 'i2',
      workflowId: 'wf-b',
    },
  ];
  return insertExecutions(db, [...a, ...b]);
}

describe('histogram helpers', () => {
  it('uses nearest rank, null when empty', () => {
    expect(exactPercentile([], 50)).toBeNull();
    expect(exactPercentile([7], 99)).toBe(7);
    expect(exactPercentile([1, 2, 3, 4], 50)).toBe(2);
    expect(exactPercentile([1, 2, 3, 4], 51)).toBe(3);
    expect(histogramPercentile(new Map(), 50)).toBeNull();
  });

  it('keeps each value within the stated bound of its bin', () => {
    for (const d of [1, 2, 3, 7, 10, 99, 100, 1234, 59_999, 3_600_000]) {
      const v = binValue(binOf(d));
      expect(Math.abs(v - d)).toBeLessThanOrEqual(d * HISTOGRAM_ERROR_BOUND + 0.5);
    }
    expect(binOf(0)).toBe(0);
    expect(binOf(1)).toBe(1);
    expect(binOf(2)).toBe(9);
  });
});

describe('metrics summary (exact from raw rows)', () => {
  it('matches the hand-computed dataset', () => {
    const { db, clock } = setup();
    const now = clock.now();
    seedHandDataset(db, now);
    const q = createMetricsQueries(db);
    expect(q.summary({ range: '1h', workflowId: 'wf-a' }, now)).toEqual({
      fromMs: now - HOUR_MS,
      toMs: now,
      exact: true,
      percentileErrorBound: 0,
      total: 11,
      succeeded: 8,
      failed: 2,
      deadLettered: 0,
      canceled: 1,
      rejected: 0,
      errorRate: 0.2,
      successRate: 0.8,
      throughputPerHour: 11 / 0.75,
      coveredFromMs: now - 50 * MIN,
      coveredToMs: now - 5 * MIN,
      attempts: 0,
      failedAttempts: 0,
      durationCount: 10,
      p50Ms: 500,
      p95Ms: 1000,
      p99Ms: 1000,
      avgDurationMs: 550,
      avgQueueWaitMs: 20,
      queueWaitCount: 2,
    });
    // The mapping and instance scopes see the same runs; the other instance none of them.
    expect(q.summary({ range: '1h', mappingId: 'm1' }, now)).toMatchObject({ total: 11, p50Ms: 500 });
    expect(q.summary({ range: '1h', instanceId: 'i2' }, now)).toMatchObject({ total: 0 });
  });

  it('covers both workflows over 24 h', () => {
    const { db, clock } = setup();
    const now = clock.now();
    seedHandDataset(db, now);
    // 12 durations: 5, 50, 100…1000. p50 rank 6 → 400; p95 rank ceil(11.4) = 12 → 1000; p99 → 1000.
    expect(createMetricsQueries(db).summary({ range: '24h' }, now)).toMatchObject({
      total: 13,
      succeeded: 9,
      failed: 2,
      deadLettered: 1,
      canceled: 1,
      errorRate: 3 / 12,
      p50Ms: 400,
      p95Ms: 1000,
      p99Ms: 1000,
      // 13 runs over the 115 min from the first (−2 h) to the last (−5 min), not over 24 h.
      throughputPerHour: 13 / (115 / 60),
      coveredFromMs: now - 2 * HOUR_MS,
      coveredToMs: now - 5 * MIN,
    });
  });

  it('answers an empty range with zeros and nulls, and a single row with that row', () => {
    const { db, clock } = setup();
    const now = clock.now();
    seedHandDataset(db, now);
    const q = createMetricsQueries(db);
    expect(q.summary({ range: 'custom', fromMs: now - 30 * DAY_MS, toMs: now - 20 * DAY_MS }, now)).toMatchObject({
      total: 0,
      errorRate: null,
      successRate: null,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
      avgDurationMs: null,
      avgQueueWaitMs: null,
      throughputPerHour: 0,
    });
    const single = q.summary({ range: 'custom', fromMs: now - 2 * HOUR_MS, toMs: now - 2 * HOUR_MS + 1 }, now);
    expect(single).toMatchObject({ total: 1, succeeded: 1, p50Ms: 5, p95Ms: 5, p99Ms: 5, avgDurationMs: 5 });
  });

  it('buckets a series and drills down to the runs behind a point', async () => {
    const t = setup();
    const now = t.clock.now();
    const ids = seedHandDataset(t.db, now);
    const series = createMetricsQueries(t.db).series({ range: '1h', workflowId: 'wf-a' }, now);
    expect(series).toMatchObject({ stepMs: 2 * MIN, exact: true });
    expect(series.points).toHaveLength(30);
    // now - 50 min and now - 49 min share the 2-minute bucket starting at now - 50 min.
    const point = series.points.find((p) => p.tMs === now - 50 * MIN);
    expect(point).toMatchObject({ total: 2, succeeded: 2, p50Ms: 100, p95Ms: 200, avgQueueWaitMs: 20 });
    expect(series.points.reduce((n, p) => n + p.total, 0)).toBe(11);

    const drill = t.module.handlers['metrics:drilldown'](
      { fromMs: now - 50 * MIN, toMs: now - 48 * MIN, workflowId: 'wf-a', limit: 200 },
      { transport: 'direct' },
    );
    expect(drill).toMatchObject({ total: 2 });
    expect((await drill).executions.map((e) => e.id)).toEqual([ids[1], ids[0]]);
    const failedOnly = await t.module.handlers['metrics:drilldown'](
      { fromMs: now - HOUR_MS, toMs: now, statuses: ['failed'], limit: 1 },
      { transport: 'direct' },
    );
    expect(failedOnly.total).toBe(2);
    expect(failedOnly.executions).toEqual([expect.objectContaining({ id: ids[7], status: 'failed', durationMs: 800 })]);
  });
});

describe('rollups', () => {
  it('never serve a cached histogram after its row changed', () => {
    const { db, clock } = setup();
    const now = clock.now();
    const ids = insertExecutions(
      db,
      Array.from({ length: 40 }, (_, i) => ({
        status: 'succeeded' as const,
        createdAtMs: now - 3 * DAY_MS + i * 1000,
        durationMs: 10,
      })),
    );
    const rolled = createMetricsQueries(db, { exactRowLimit: 0 });
    const query = { range: '7d' as const };
    expect(rolled.summary(query, now)).toMatchObject({ exact: false, p50Ms: 10, p99Ms: 10 });
    db.prepare('UPDATE executions SET duration_ms = 5000 WHERE id >= ?').run(ids[20]);
    expect(rolled.summary(query, now)).toMatchObject({ total: 40, p50Ms: 10, p99Ms: binValue(binOf(5000)) });
    db.prepare('DELETE FROM executions WHERE id < ?').run(ids[20]);
    expect(rolled.summary(query, now)).toMatchObject({ total: 20, p50Ms: binValue(binOf(5000)) });
    // Retention drops the rollup rows; new runs recreate them under a new revision.
    db.prepare('DELETE FROM executions').run();
    db.prepare('DELETE FROM metric_rollups').run();
    insertExecutions(db, [{ status: 'failed', createdAtMs: now - 3 * DAY_MS, durationMs: 300 }]);
    expect(rolled.summary(query, now)).toMatchObject({ total: 1, failed: 1, p50Ms: binValue(binOf(300)) });
  });

  /** Rollup totals must equal what a GROUP BY over the raw terminal rows says. */
  function expectRollupsMatchRaw(db: Parameters<typeof insertExecutions>[0]) {
    const raw = db
      .prepare(
        `SELECT created_at_ms - created_at_ms % ${HOUR_MS} AS b, coalesce(workflow_id, '') AS w, COUNT(*) AS n,
           COUNT(duration_ms) AS dc, coalesce(SUM(duration_ms), 0) AS ds, SUM(status = 'failed') AS f
         FROM executions WHERE status IN ('succeeded','failed','dead_lettered','canceled','rejected')
         GROUP BY b, w ORDER BY b, w`,
      )
      .all();
    const rolled = db
      .prepare(
        `SELECT bucket_ms AS b, workflow_id AS w, SUM(total) AS n, SUM(duration_count) AS dc, SUM(duration_sum_ms) AS ds,
           SUM(failed) AS f FROM metric_rollups WHERE grain_ms = ${HOUR_MS} GROUP BY b, w HAVING n > 0 ORDER BY b, w`,
      )
      .all();
    expect(rolled).toEqual(raw);
    // Each hour's histogram holds exactly the bins of its raw durations.
    const rawBins = db
      .prepare(
        `SELECT created_at_ms - created_at_ms % ${HOUR_MS} AS b, coalesce(workflow_id, '') AS w,
           ${binSql('duration_ms')} AS bin, COUNT(*) AS n FROM executions
         WHERE duration_ms IS NOT NULL AND status IN ('succeeded','failed','dead_lettered','canceled','rejected')
         GROUP BY b, w, bin ORDER BY b, w, bin`,
      )
      .all();
    const stored = (
      db
        .prepare(`SELECT bucket_ms AS b, workflow_id AS w, hist_json FROM metric_rollups WHERE grain_ms = ${HOUR_MS}`)
        .all() as { b: number; w: string; hist_json: string }[]
    )
      .flatMap(({ b, w, hist_json }) =>
        Object.entries(JSON.parse(hist_json) as Record<string, number>).map(([bin, n]) => ({
          b,
          w,
          bin: Number(bin),
          n,
        })),
      )
      .filter((r) => r.n !== 0)
      .sort((x, y) => x.b - y.b || (x.w < y.w ? -1 : x.w > y.w ? 1 : 0) || x.bin - y.bin);
    expect(stored).toEqual(rawBins);
  }

  it('follow inserts, status changes, edits and deletes exactly', () => {
    const { db, clock } = setup();
    const now = clock.now();
    const ids = seedHandDataset(db, now);
    expectRollupsMatchRaw(db);
    // The running one finishes; a success is rewritten as a failure with a new duration; one is deleted.
    db.prepare("UPDATE executions SET status = 'succeeded', duration_ms = 42 WHERE id = ?").run(ids[11]);
    db.prepare("UPDATE executions SET status = 'failed', duration_ms = 7000 WHERE id = ?").run(ids[0]);
    db.prepare("UPDATE executions SET status = 'retrying' WHERE id = ?").run(ids[1]);
    db.prepare("UPDATE executions SET workflow_id = 'wf-z', created_at_ms = created_at_ms - 86400000 WHERE id = ?").run(
      ids[2],
    );
    db.prepare('DELETE FROM executions WHERE id = ?').run(ids[4]);
    db.prepare("UPDATE executions SET error = 'touched' WHERE id = ?").run(ids[5]);
    expectRollupsMatchRaw(db);
  });

  it('stay exact when a bulk writer batches them (rollup-batch) around inserts, updates and deletes', () => {
    const { db, clock } = setup();
    const now = clock.now();
    const before = seedHandDataset(db, now); // counted row by row by the triggers
    const batch = createRollupBatch(db);
    const stamp = () => db.prepare('SELECT version FROM metric_state WHERE id = 1').pluck().get() as number;
    const version = stamp();
    const added = db.transaction(() =>
      batch(() => {
        // New rows in existing and new buckets, one of them edited and one deleted inside the batch,
        // and rows that existed before changed too (those still go through the triggers).
        const ids = seedHandDataset(db, now + 3 * HOUR_MS);
        seedHandDataset(db, now);
        db.prepare("UPDATE executions SET status = 'failed', duration_ms = 7000 WHERE id = ?").run(ids[0]);
        db.prepare('DELETE FROM executions WHERE id = ?').run(ids[1]);
        db.prepare("UPDATE executions SET status = 'succeeded', duration_ms = 3 WHERE id = ?").run(ids[11]);
        db.prepare("UPDATE executions SET status = 'retrying' WHERE id = ?").run(before[0]);
        db.prepare("UPDATE executions SET status = 'succeeded', duration_ms = 42 WHERE id = ?").run(before[11]);
        db.prepare('DELETE FROM executions WHERE id = ?').run(before[4]);
        return ids;
      }),
    )();
    expect(added.length).toBeGreaterThan(0);
    expect(stamp()).toBeGreaterThan(version);
    expect(db.prepare('SELECT defer_above_id FROM metric_state').pluck().get()).toBeNull();
    expectRollupsMatchRaw(db);
    // After the batch the triggers count again, including on the batched rows.
    db.prepare("UPDATE executions SET status = 'canceled', duration_ms = NULL WHERE id = ?").run(added[2]);
    db.prepare('DELETE FROM executions WHERE id = ?').run(added[3]);
    insertExecutions(db, [
      { status: 'failed', createdAtMs: now, durationMs: 12, instanceId: 'i1', workflowId: 'wf-a' },
    ]);
    expectRollupsMatchRaw(db);
    expect(() => batch(() => 0)).toThrow(/inside a transaction/);
  });

  it('give exact counts and percentiles within the error bound over a large range', () => {
    const { db, clock } = setup();
    const now = clock.now();
    // 5 000 runs over 10 days, durations spread over four decades, deterministic.
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const rows: SeedExecution[] = Array.from({ length: 5000 }, () => ({
      status: rand() < 0.1 ? 'failed' : 'succeeded',
      createdAtMs: now - Math.floor(rand() * 10 * DAY_MS),
      durationMs: Math.floor(10 ** (1 + 3 * rand())),
      workflowId: rand() < 0.5 ? 'w1' : 'w2',
      instanceId: 'i1',
    }));
    insertExecutions(db, rows);
    const exact = createMetricsQueries(db, { exactRowLimit: Infinity });
    const rolled = createMetricsQueries(db, { exactRowLimit: 0 });
    for (const query of [
      { range: '7d' as const },
      { range: '24h' as const, workflowId: 'w2' },
      { range: 'custom' as const, fromMs: now - 9 * DAY_MS + 1234567, toMs: now - 2 * DAY_MS - 98765 },
      // More than half a day at each edge: read as a day minus its other hours.
      {
        range: 'custom' as const,
        fromMs: now - 9 * DAY_MS - 5 * HOUR_MS - 777,
        toMs: now - 2 * DAY_MS + 6.5 * HOUR_MS,
      },
      { range: 'custom' as const, fromMs: now - 3 * DAY_MS + 13 * HOUR_MS, toMs: now - DAY_MS - 13 * HOUR_MS + 5 },
    ]) {
      const e = exact.summary(query, now);
      const r = rolled.summary(query, now);
      expect(r.exact).toBe(false);
      expect(e.exact).toBe(true);
      for (const key of ['total', 'succeeded', 'failed', 'durationCount', 'avgDurationMs', 'errorRate'] as const) {
        expect(r[key]).toBeCloseTo(e[key] as number, 9);
      }
      for (const key of ['p50Ms', 'p95Ms', 'p99Ms'] as const) {
        expect(Math.abs(r[key]! - e[key]!)).toBeLessThanOrEqual(e[key]! * HISTOGRAM_ERROR_BOUND + 0.5);
      }
      const es = exact.series(query, now);
      const rs = rolled.series(query, now);
      expect(rs.points.map((p) => p.total)).toEqual(es.points.map((p) => p.total));
      expect(rs.points.map((p) => p.failed)).toEqual(es.points.map((p) => p.failed));
    }
  });
});
