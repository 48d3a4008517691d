import { it } from 'vitest';
import { migrations } from '../../src/main/core/db/migrations';
import { openStore, type Store } from '../../src/main/core/db/store';
import { EventBus } from '../../src/main/core/events';
import { createMetricsQueries } from '../../src/main/core/metrics/metrics-query';
import { insertExecutions, type SeedExecution } from '../../src/main/core/testing/seed-executions';
import { tempDir } from '../../src/main/core/testing/test-core';
import type { CallArgs } from '../../src/shared/contract';
import type { CoreContext } from '../../src/main/core/context';
import { silentLogger } from '../../src/main/core/logger';
import type { Clients } from '../../src/main/core/n8n/clients';
import { createExecutionsReader } from '../../src/main/core/n8n/executions-reader';
import { percentile, report } from './report';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31, 12, 34, 56);

function freshStore(): { store: Store; remove(): void } {
  const dir = tempDir('flightdeck-bench-metrics-');
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => NOW });
  return {
    store,
    remove() {
      store.close();
      dir.remove();
    },
  };
}

/**
 * Deterministic executions created in [fromMs, toMs), oldest first as real writers add them:
 * 2 instances × 10 workflows, ~8 % failures, durations from 20 ms to ~8 s.
 */
function generate(count: number, fromMs: number, toMs: number, seed = 42): SeedExecution[] {
  let s = seed;
  const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
  return Array.from({ length: count }, (): SeedExecution => {
    const w = Math.floor(rand() * 20);
    const r = rand();
    return {
      status: r < 0.06 ? 'failed' : r < 0.08 ? 'dead_lettered' : r < 0.09 ? 'canceled' : 'succeeded',
      createdAtMs: fromMs + Math.floor(rand() * (toMs - fromMs)),
      durationMs: Math.floor(20 * Math.exp(rand() * 6)),
      queueWaitMs: Math.floor(rand() * 500),
      instanceId: w < 10 ? 'prod' : 'staging',
      workflowId: `wf-${w}`,
      mappingId: `map-${w % 5}`,
    };
  }).sort((a, b) => a.createdAtMs - b.createdAtMs);
}

const timeMs = (fn: () => void) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};

function insertInBatches(store: Store, rows: SeedExecution[], batch = 1_000): void {
  for (let i = 0; i < rows.length; i += batch) insertExecutions(store.db, rows.slice(i, i + batch));
}

// What keeping rollups current costs a writer: the same 10k rows into a store with the rollup
// triggers and into one without them (the baseline: plain inserts).
it('rollup upkeep per 10k executions vs plain inserts', () => {
  const withRollups = freshStore();
  const plain = freshStore();
  for (const name of [
    'metric_rollups_insert',
    'metric_rollups_update_old',
    'metric_rollups_update_new',
    'metric_rollups_delete',
  ]) {
    plain.store.db.exec(`DROP TRIGGER ${name}`);
  }
  const rounds = 5;
  const timings = {
    rollups: [] as number[],
    plain: [] as number[],
    lifecycle: [] as number[],
    lifecyclePlain: [] as number[],
  };
  for (let round = 0; round < rounds; round++) {
    const rows = generate(10_000, NOW - (5 - round) * DAY, NOW - (4 - round) * DAY, round + 1);
    timings.plain.push(timeMs(() => insertInBatches(plain.store, rows)));
    timings.rollups.push(timeMs(() => insertInBatches(withRollups.store, rows)));
    // A run's real life: inserted while queued, then updated to its outcome.
    const queued = rows.map((r) => ({ ...r, status: 'queued' as const, durationMs: null }));
    for (const [target, key] of [
      [plain.store, 'lifecyclePlain'],
      [withRollups.store, 'lifecycle'],
    ] as const) {
      const ids = insertExecutions(target.db, queued);
      const finish = target.db.prepare('UPDATE executions SET status = ?, duration_ms = ? WHERE id = ?');
      timings[key].push(
        timeMs(() => {
          for (let i = 0; i < ids.length; i += 1_000) {
            target.db.transaction(() => {
              for (let j = i; j < Math.min(i + 1_000, ids.length); j++)
                finish.run(rows[j]!.status, rows[j]!.durationMs, ids[j]);
            })();
          }
        }),
      );
    }
  }
  const med = (xs: number[]) => percentile(xs, 50);
  report('Rollup upkeep (10k executions, 1k per transaction, median of 5)', [
    { name: 'insert terminal rows, plain table', value: med(timings.plain), unit: 'ms' },
    {
      name: 'insert terminal rows, with rollup triggers',
      value: med(timings.rollups),
      unit: 'ms',
      baseline: { name: 'plain', value: med(timings.plain) },
    },
    { name: 'finish queued rows (update), plain table', value: med(timings.lifecyclePlain), unit: 'ms' },
    {
      name: 'finish queued rows (update), with triggers',
      value: med(timings.lifecycle),
      unit: 'ms',
      baseline: { name: 'plain', value: med(timings.lifecyclePlain) },
    },
  ]);
  withRollups.remove();
  plain.remove();
});

// The dashboard over 1M executions (30 days): summary + series from the rollups, against the
// same answers computed from the raw rows.
it('dashboard query latency at 1M executions', () => {
  const { store, remove } = freshStore();
  const seedMs = timeMs(() => {
    for (let part = 0; part < 10; part++) {
      const from = NOW - 30 * DAY + part * 3 * DAY;
      insertInBatches(store, generate(100_000, from, from + 3 * DAY, part + 100), 10_000);
    }
  });
  store.db.exec('ANALYZE');
  const rolled = createMetricsQueries(store.db);
  const raw = createMetricsQueries(store.db, { exactRowLimit: Infinity });
  const dashboard = (q: typeof rolled, query: Parameters<typeof rolled.summary>[0]) => {
    const s = q.summary(query, NOW);
    const series = q.series(query, NOW);
    if (s.total <= 0 || series.points.length === 0) throw new Error('the bench data set is empty');
  };

  const rows: Parameters<typeof report>[1] = [
    { name: 'seed 1M executions (with triggers)', value: seedMs / 1000, unit: 's' },
  ];
  for (const [label, query] of [
    ['30d, all workflows', { range: '30d' as const }],
    ['7d, one workflow', { range: '7d' as const, workflowId: 'wf-3' }],
    ['24h, all workflows', { range: '24h' as const }],
  ] as const) {
    // The first call parses every rollup histogram it reads; later calls reuse them until a row changes.
    const cold = timeMs(() => dashboard(rolled, query));
    for (let i = 0; i < 5; i++) dashboard(rolled, query); // warm up
    const fast = Array.from({ length: 50 }, () => timeMs(() => dashboard(rolled, query)));
    const slow = Array.from({ length: 3 }, () => timeMs(() => dashboard(raw, query)));
    rows.push(
      { name: `${label}: first call (cold cache)`, value: cold, unit: 'ms' },
      { name: `${label}: rollups p50`, value: percentile(fast, 50), unit: 'ms' },
      {
        name: `${label}: rollups p95`,
        value: percentile(fast, 95),
        unit: 'ms',
        baseline: { name: 'raw rows p95', value: percentile(slow, 95) },
        goal: '< 50 ms absolute',
      },
    );
  }
  report('Dashboard query (summary + series) at 1M executions', rows);
  remove();
});

// Reading the Executions list at 100k runs (issue #15 item 5): the first page, a jump (keyset
// seek) to the oldest runs and to a date, and pages of each server-side sort deep into the list,
// against reaching the oldest runs by paging on from the top (what scrolling does).
it('executions list at 100k: first page, seek to the oldest and to a date, sorted pages', () => {
  const { store, remove } = freshStore();
  insertInBatches(store, generate(100_000, NOW - 30 * DAY, NOW, 7), 10_000);
  store.db.exec('ANALYZE');
  const ctx = { store, clock: { now: () => NOW }, logger: silentLogger, dataDir: '', operator: () => 'bench' };
  const reader = createExecutionsReader(ctx as unknown as CoreContext, {} as Clients);
  const PAGE = 200;
  const sample = (fn: () => unknown, n = 30) => {
    fn(); // warm up the statement cache
    const times = Array.from({ length: n }, () => timeMs(() => void fn()));
    return { p50: percentile(times, 50), p95: percentile(times, 95) };
  };
  /** The cursor after `pages` pages of a sort, for a page deep in the list. */
  const deepCursor = (input: Partial<CallArgs<'executions:list'>>, pages: number) => {
    let cursor: string | undefined;
    for (let i = 0; i < pages; i++)
      cursor = reader.list({ ...input, limit: PAGE, ...(cursor ? { cursor } : {}) }).nextCursor ?? undefined;
    return cursor;
  };
  let pagesToOldest = 0;
  const scrollMs = timeMs(() => {
    let cursor: string | undefined;
    do {
      cursor = reader.list({ limit: PAGE, ...(cursor ? { cursor } : {}) }).nextCursor ?? undefined;
      pagesToOldest++;
    } while (cursor);
  });
  const oldest = sample(() => reader.list({ limit: PAGE, seek: 'oldest' }));
  const rows: Parameters<typeof report>[1] = [
    { name: 'first page, newest first', ...pick(sample(() => reader.list({ limit: PAGE }))) },
    {
      name: 'jump to the oldest (seek) p95',
      value: oldest.p95,
      unit: 'ms',
      baseline: { name: `paging on from the top (${pagesToOldest} pages)`, value: scrollMs },
      goal: '< 200 ms absolute',
    },
    {
      name: 'jump to a date (seek), p95',
      value: sample(() => reader.list({ limit: PAGE, seek: NOW - 12 * DAY })).p95,
      unit: 'ms',
    },
  ];
  for (const sort of ['started', 'finished', 'duration', 'status'] as const) {
    const cursor = deepCursor({ sort }, 250);
    rows.push(
      {
        name: `sorted by ${sort}: first page, p95`,
        value: sample(() => reader.list({ limit: PAGE, sort })).p95,
        unit: 'ms',
      },
      {
        name: `sorted by ${sort}: page 251 (keyset), p95`,
        value: sample(() => reader.list({ limit: PAGE, sort, ...(cursor ? { cursor } : {}) })).p95,
        unit: 'ms',
      },
    );
  }
  report('Executions list at 100k runs (200-row pages, one core, no transport)', rows);
  remove();
});

function pick(s: { p50: number; p95: number }): { value: number; unit: string } {
  return { value: s.p95, unit: `ms p95 (p50 ${s.p50.toFixed(2)})` };
}
