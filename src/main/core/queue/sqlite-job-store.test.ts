import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock';
import { migrations } from '../db/migrations';
import { openStore, type Store } from '../db/store';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import { describeJobStoreConformance } from '../testing/job-store.conformance';
import { createSqliteJobStore } from './sqlite-job-store';

function openOn(dataDir: string, clock: ManualClock): Store {
  return openStore({ dataDir, bus: new EventBus(), migrations, now: () => clock.now() });
}

describeJobStoreConformance('SQLite', (clock, random) => {
  const dir = tempDir('flightdeck-queue-');
  const store = openOn(dir.path, clock);
  return {
    store: createSqliteJobStore({ store, clock, random }),
    cleanup() {
      store.close();
      dir.remove();
    },
  };
});

describe('SQLite job store', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanups.splice(0).reverse()) fn();
  });
  function twoConnections() {
    const dir = tempDir('flightdeck-queue-');
    const clock = new ManualClock();
    const stores = [openOn(dir.path, clock), openOn(dir.path, clock)];
    cleanups.push(dir.remove, ...stores.map((s) => () => s.close()));
    return { dir, clock, stores, queues: stores.map((store) => createSqliteJobStore({ store, clock })) };
  }

  it('tells listeners nothing when completeAndClaim changed nothing (an idle worker must not wake itself)', async () => {
    const { queues, clock } = twoConnections();
    const q = queues[0]!;
    let calls = 0;
    q.onChange(() => calls++);
    q.completeAndClaim([], { limit: 5, leaseMs: 60_000 });
    await Promise.resolve();
    expect(calls).toBe(0);
    // A claim, a due delayed job promoted, a completion: each is a change worth telling.
    q.enqueue({ instanceId: 'i', mappingId: 'm', payload: 1 });
    await Promise.resolve();
    calls = 0;
    const [job] = q.completeAndClaim([], { limit: 5, leaseMs: 60_000 }).claimed;
    await Promise.resolve();
    expect(calls).toBe(1);
    q.completeAndClaim([{ id: job!.id, leaseToken: job!.leaseToken }], { limit: 0, leaseMs: 60_000 });
    await Promise.resolve();
    expect(calls).toBe(2);
    q.enqueue({ instanceId: 'i', mappingId: 'm', payload: 2, delayMs: 1_000 });
    await Promise.resolve();
    calls = 0;
    clock.advance(1_000);
    q.completeAndClaim([], { limit: 1, leaseMs: 60_000 });
    await Promise.resolve();
    expect(calls).toBe(1);
  });

  it('never hands one job to two connections claiming on the same file', () => {
    const { queues } = twoConnections();
    const [a, b] = queues as [ReturnType<typeof createSqliteJobStore>, ReturnType<typeof createSqliteJobStore>];
    for (let i = 0; i < 200; i++) a.enqueue({ instanceId: 'i', mappingId: 'm', payload: i });
    const seen: number[] = [];
    for (let round = 0; round < 40; round++) {
      const q = round % 2 ? a : b;
      seen.push(...q.claim({ limit: 7, leaseMs: 60_000 }).map((j) => j.id));
    }
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
  });

  it('keeps one job per idempotency key across connections (the key is a unique index)', () => {
    const { queues, stores } = twoConnections();
    const ids = queues.map((q) => q.enqueue({ instanceId: 'i', mappingId: 'm', payload: {}, idempotencyKey: 'k' }));
    expect(ids.map((r) => r.deduplicated)).toEqual([false, true]);
    expect(ids[1]!.job.id).toBe(ids[0]!.job.id);
    // The index itself refuses a second row for the key, whatever a buggy caller does.
    expect(() =>
      stores[0]!.db
        .prepare('INSERT INTO idempotency_keys (key, job_id, expires_at_ms) VALUES (?, ?, 0)')
        .run('k', ids[0]!.job.id),
    ).toThrow(/UNIQUE/);
  });

  it('keeps queued work across a reopen of the file', () => {
    const dir = tempDir('flightdeck-queue-');
    cleanups.push(dir.remove);
    const clock = new ManualClock();
    const first = openOn(dir.path, clock);
    const q1 = createSqliteJobStore({ store: first, clock });
    const id = q1.enqueue({ instanceId: 'i', mappingId: 'm', payload: { keep: true } }).job.id;
    q1.claim({ limit: 1, leaseMs: 1_000 });
    first.close();
    const second = openOn(dir.path, clock);
    cleanups.push(() => second.close());
    const q2 = createSqliteJobStore({ store: second, clock });
    clock.advance(1_000);
    expect(q2.claim({ limit: 1, leaseMs: 1_000 })).toMatchObject([{ id, payload: { keep: true }, attempt: 2 }]);
  });

  it('claims through the state-scoped partial indexes', () => {
    const { stores } = twoConnections();
    const plan = (sql: string) =>
      (stores[0]!.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    expect(plan(`SELECT * FROM jobs WHERE state = 'waiting' ORDER BY priority, id LIMIT 10`)).toMatch(/jobs_waiting/);
    expect(plan(`SELECT id FROM jobs WHERE state = 'delayed' AND run_at_ms <= 5`)).toMatch(/jobs_delayed/);
    expect(plan(`SELECT id FROM jobs WHERE state = 'active' AND lease_expires_at_ms <= 5`)).toMatch(/jobs_active/);
  });

  it('enqueues atomically with the caller’s own transaction', () => {
    const { stores, queues } = twoConnections();
    expect(() =>
      stores[0]!.write(() => {
        queues[0]!.enqueue({ instanceId: 'i', mappingId: 'm', payload: 1, idempotencyKey: 'rolled-back' });
        throw new Error('the caller failed after enqueueing');
      }),
    ).toThrow(/caller failed/);
    expect(queues[0]!.counts().total.waiting).toBe(0);
    expect(
      queues[0]!.enqueue({ instanceId: 'i', mappingId: 'm', payload: 1, idempotencyKey: 'rolled-back' }).deduplicated,
    ).toBe(false);
  });
});
