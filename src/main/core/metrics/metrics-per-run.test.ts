import { afterEach, describe, expect, it } from 'vitest';
import { metricsOnDisk } from '../testing/metrics-kit';
import { insertExecutions, type SeedExecution } from '../testing/seed-executions';
import { createNameDirectory } from '../alerts/names';
import { createMetricsExplorer } from './metrics-explore';
import { createMetricsQueries, HOUR_MS, MIN_COVERED_MS, throughput } from './metrics-query';
import { createRollupBatch } from './rollup-batch';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function setup() {
  const t = metricsOnDisk();
  cleanups.push(t.cleanup);
  return t;
}

const MIN = 60_000;
type Db = ReturnType<typeof setup>['db'];

/** Both read paths: exact (raw rows) and rolled up (the triggers' and the batch fold's sums). */
const bothPaths = (db: Db) => [createMetricsQueries(db), createMetricsQueries(db, { exactRowLimit: 0 })];

/**
 * The case, pinned: one run failed five webhook calls and was dead-lettered, then an
 * operator retried it and the retry succeeded with one call. That is ONE run, succeeded; six
 * attempts, five of them failed. Before: 2 runs, error rate 50%.
 */
function retriedRun(db: Db, now: number) {
  const [original] = insertExecutions(db, [
    {
      status: 'dead_lettered',
      createdAtMs: now - 30 * MIN,
      durationMs: 40,
      attempts: 5,
      responseStatus: 503,
      instanceId: 'i1',
      workflowId: 'wf',
      mappingId: 'm1',
    },
  ]);
  const [retry] = insertExecutions(db, [
    {
      status: 'succeeded',
      createdAtMs: now - 10 * MIN,
      durationMs: 20,
      attempts: 1,
      responseStatus: 200,
      instanceId: 'i1',
      workflowId: 'wf',
      mappingId: 'm1',
      retryOfId: original!,
    },
  ]);
  return { original: original!, retry: retry! };
}

describe('metrics count runs by their final outcome, attempts apart', () => {
  it('counts a retried run once, as its newest retry, with every attempt in the attempts series', () => {
    const { db, clock } = setup();
    const now = clock.now();
    const { original, retry } = retriedRun(db, now);
    expect(db.prepare('SELECT superseded_by_id FROM executions WHERE id = ?').pluck().get(original)).toBe(retry);
    for (const q of bothPaths(db)) {
      expect(q.summary({ range: '1h' }, now)).toMatchObject({
        total: 1,
        succeeded: 1,
        deadLettered: 0,
        errorRate: 0,
        successRate: 1,
        attempts: 6,
        failedAttempts: 5,
        durationCount: 1,
        avgDurationMs: 20,
      });
    }
    // The series: the run in the retry's bucket; the attempts where each row was created.
    const points = createMetricsQueries(db)
      .series({ range: '1h' }, now)
      .points.filter((p) => p.attempts > 0);
    expect(points.map((p) => [p.total, p.attempts, p.failedAttempts, p.errorRate])).toEqual([
      [0, 5, 5, null],
      [1, 1, 0, 0],
    ]);
  });

  it('counts a run again once its retry fails too, and a run whose retry is still queued not yet', () => {
    const { db, clock } = setup();
    const now = clock.now();
    const { retry } = retriedRun(db, now);
    db.prepare("UPDATE executions SET status = 'dead_lettered', response_status = 500 WHERE id = ?").run(retry);
    for (const q of bothPaths(db)) {
      expect(q.summary({ range: '1h' }, now)).toMatchObject({ total: 1, deadLettered: 1, errorRate: 1, attempts: 6 });
    }
    const [second] = insertExecutions(db, [
      {
        status: 'queued',
        createdAtMs: now - MIN,
        instanceId: 'i1',
        workflowId: 'wf',
        mappingId: 'm1',
        retryOfId: retry,
      },
    ]);
    for (const q of bothPaths(db)) {
      // Both earlier rows are superseded now; the newest retry has no outcome yet.
      expect(q.summary({ range: '1h' }, now)).toMatchObject({
        total: 0,
        errorRate: null,
        attempts: 6,
        failedAttempts: 6,
      });
    }
    db.prepare("UPDATE executions SET status = 'succeeded', attempts = 1, response_status = 200 WHERE id = ?").run(
      second,
    );
    for (const q of bothPaths(db)) {
      expect(q.summary({ range: '1h' }, now)).toMatchObject({ total: 1, succeeded: 1, attempts: 7, failedAttempts: 6 });
    }
  });

  it("links n8n's own retries to what they retried, in whatever order the sync stores them", () => {
    const { db, clock } = setup();
    const now = clock.now();
    const remote = (over: Partial<SeedExecution>): SeedExecution => ({
      status: 'failed',
      createdAtMs: now - 20 * MIN,
      source: 'remote',
      instanceId: 'i1',
      workflowId: 'wf',
      ...over,
    });
    // The retry (#830) arrives first, then the execution it retried (#812); another instance
    // has its own #812, which must not be taken for it.
    const [other] = insertExecutions(db, [remote({ instanceId: 'i2', remoteId: '812' })]);
    const [retry] = insertExecutions(db, [remote({ status: 'succeeded', remoteId: '830', retryOf: '812' })]);
    const lineage = (id: number) =>
      db
        .prepare('SELECT retry_of_id AS r, superseded_by_id AS s, retry_kind AS k FROM executions WHERE id = ?')
        .get(id);
    expect(lineage(retry!)).toEqual({ r: null, s: null, k: 'n8n' });
    const [original] = insertExecutions(db, [remote({ remoteId: '812', createdAtMs: now - 25 * MIN })]);
    expect(lineage(retry!)).toEqual({ r: original, s: null, k: 'n8n' });
    expect(lineage(original!)).toEqual({ r: null, s: retry, k: null });
    expect(lineage(other!)).toEqual({ r: null, s: null, k: null });
    for (const q of bothPaths(db)) {
      expect(q.summary({ range: '1h', instanceId: 'i1' }, now)).toMatchObject({
        total: 1,
        succeeded: 1,
        failed: 0,
        attempts: 2,
        failedAttempts: 1,
      });
    }
  });

  it('keeps the rollups of a batched write (the sync) equal to row-by-row triggers', () => {
    const { db, clock, store } = setup();
    const now = clock.now();
    const rows: SeedExecution[] = [
      {
        status: 'failed',
        createdAtMs: now - 40 * MIN,
        source: 'remote',
        instanceId: 'i1',
        remoteId: '1',
        durationMs: 5,
      },
      {
        status: 'succeeded',
        createdAtMs: now - 39 * MIN,
        source: 'remote',
        instanceId: 'i1',
        remoteId: '2',
        retryOf: '1',
        durationMs: 7,
      },
      {
        status: 'succeeded',
        createdAtMs: now - 38 * MIN,
        source: 'remote',
        instanceId: 'i1',
        remoteId: '3',
        durationMs: 9,
      },
    ];
    // Bins emptied by a subtraction stay in the JSON as 0: compare the counts that are there.
    const snapshot = () =>
      (
        db
          .prepare(
            `SELECT grain_ms, bucket_ms, total, succeeded, failed, attempts, failed_attempts, duration_count, hist_json
             FROM metric_rollups WHERE total != 0 OR attempts != 0 ORDER BY grain_ms, bucket_ms`,
          )
          .all() as { hist_json: string }[]
      ).map(({ hist_json, ...row }) => ({
        ...row,
        hist: Object.entries(JSON.parse(hist_json) as Record<string, number>).filter(([, n]) => n !== 0),
      }));
    insertExecutions(db, rows);
    const byTriggers = snapshot();
    db.exec('DELETE FROM executions; DELETE FROM metric_rollups;');
    const batch = createRollupBatch(db);
    store.write(() => batch(() => insertExecutions(db, rows)));
    expect(snapshot()).toEqual(byTriggers);
    expect(byTriggers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ total: 2, succeeded: 2, failed: 0, attempts: 3, failed_attempts: 1 }),
      ]),
    );
  });

  it('lists the runs behind a point, and the superseded ones only when asked', () => {
    const { db, clock } = setup();
    const now = clock.now();
    const { original, retry } = retriedRun(db, now);
    const explorer = createMetricsExplorer(db, createMetricsQueries(db), createNameDirectory(db));
    const drill = (includeSuperseded?: boolean) =>
      explorer
        .drilldown({ fromMs: now - HOUR_MS, toMs: now, limit: 10, ...(includeSuperseded ? { includeSuperseded } : {}) })
        .executions.map((e) => [e.id, e.supersededBy?.id ?? null]);
    expect(drill()).toEqual([[retry, null]]);
    expect(drill(true)).toEqual([
      [retry, null],
      [original, retry],
    ]);
  });
});

describe('throughput uses the period the data covers', () => {
  it('shows 76 runs within 10 minutes of a 24 h view as 456/h, not 3.17/h', () => {
    const { db, clock } = setup();
    const now = clock.now();
    const start = now - 3 * HOUR_MS;
    insertExecutions(
      db,
      Array.from({ length: 76 }, (_, i) => ({
        status: 'succeeded' as const,
        createdAtMs: start + i * 8_000, // 75 gaps of 8 s: the last is 600 s after the first
        instanceId: 'i1',
        workflowId: 'wf',
      })),
    );
    for (const q of bothPaths(db)) {
      const s = q.summary({ range: '24h' }, now);
      expect(s).toMatchObject({ total: 76, coveredFromMs: start, coveredToMs: start + 600_000 });
      expect(s.throughputPerHour).toBeCloseTo(456, 6);
    }
  });

  it('never divides by less than a minute, stays inside the range, and is 0 without runs', () => {
    expect(throughput(0, null, 0, HOUR_MS)).toEqual({ throughputPerHour: 0, coveredFromMs: null, coveredToMs: null });
    // One run: one run per minute, the minute after it.
    expect(throughput(1, [1_000, 1_000], 0, HOUR_MS)).toEqual({
      throughputPerHour: 60,
      coveredFromMs: 1_000,
      coveredToMs: 1_000 + MIN_COVERED_MS,
    });
    // A run in the range's last seconds: the minute before the range's end.
    expect(throughput(2, [HOUR_MS - 5_000, HOUR_MS - 1_000], 0, HOUR_MS)).toMatchObject({
      throughputPerHour: 120,
      coveredFromMs: HOUR_MS - MIN_COVERED_MS,
      coveredToMs: HOUR_MS,
    });
    // A steady stream across the whole range: about the classic runs ÷ range.
    expect(throughput(24, [0, 23 * HOUR_MS], 0, 24 * HOUR_MS).throughputPerHour).toBeCloseTo(24 / 23, 9);
  });
});
