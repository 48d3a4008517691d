import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import type { EnqueueInput, JobStore } from './job-store';
import { createSqliteJobStore } from './sqlite-job-store';

// What issue #12 added to the queue: holds set by instance health, attempts given back without
// counting, expired leases that do not spend attempts, mapping pauses, purge, per-mapping counts.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

const LEASE = 10_000;

function open(expiredLeases?: Parameters<typeof createSqliteJobStore>[0]['expiredLeases']) {
  const dir = tempDir('flightdeck-holds-');
  const clock = new ManualClock();
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => clock.now() });
  cleanups.push(dir.remove, () => store.close());
  const jobs: JobStore = createSqliteJobStore({
    store,
    clock,
    random: () => 0.5,
    ...(expiredLeases ? { expiredLeases } : {}),
  });
  const add = (over: Partial<EnqueueInput> = {}) =>
    jobs.enqueue({ instanceId: 'prod', mappingId: 'orders', payload: {}, ...over }).job.id;
  const claim = (limit = 10) => jobs.claim({ limit, leaseMs: LEASE });
  return { jobs, clock, add, claim };
}

describe('queue holds and uncounted attempts', () => {
  it('a held instance is not claimed; lifting the hold resumes in priority, then FIFO order', () => {
    const { jobs, add, claim, clock } = open();
    const late = add({ priority: 5 });
    const urgent = add({ priority: 1 });
    const other = add({ instanceId: 'dev' });
    jobs.holdInstance({ instanceId: 'prod', reason: 'connection refused (ECONNREFUSED)', sinceMs: clock.now() });
    expect(claim().map((j) => j.id)).toEqual([other]);
    jobs.holdInstance({ instanceId: 'prod', reason: 'host not found', sinceMs: clock.now() + 5 });
    expect(jobs.counts().holds).toEqual([{ instanceId: 'prod', reason: 'host not found', sinceMs: clock.now() }]);
    jobs.liftHold('prod');
    expect(claim().map((j) => j.id)).toEqual([urgent, late]);
    expect(jobs.counts().holds).toEqual([]);
  });

  it('gives a job back without counting its attempt, keeping it in the history as returned', () => {
    const { jobs, add, claim, clock } = open();
    const id = add({ maxAttempts: 1 });
    for (let i = 0; i < 3; i++) {
      const [c] = claim();
      expect(c).toMatchObject({ id, attemptsMade: 1 });
      expect(jobs.returnJob({ id, leaseToken: c!.leaseToken, reason: 'n8n unreachable', delayMs: 100 })).toEqual({
        state: 'delayed',
        runAtMs: clock.now() + 100,
      });
      clock.advance(100);
    }
    const [last] = claim();
    expect(jobs.fail({ id, leaseToken: last!.leaseToken, error: 'HTTP 503' }).state).toBe('dead_lettered');
    const job = jobs.get(id);
    expect(job.attempts.map((a) => a.outcome)).toEqual(['returned', 'returned', 'returned', 'failed']);
    expect(job.attemptsMade).toBe(1);
  });

  it('an uncertain return is flagged for the next claim; an answer clears it', () => {
    const { jobs, add, claim } = open();
    const id = add();
    const [a] = claim();
    jobs.returnJob({ id, leaseToken: a!.leaseToken, reason: 'socket closed', uncertain: true });
    const [b] = claim();
    expect(b).toMatchObject({ id, uncertain: true });
    jobs.fail({ id, leaseToken: b!.leaseToken, error: 'HTTP 503' });
    expect(jobs.get(id).uncertain).toBe(false);
    expect(() => jobs.returnJob({ id, leaseToken: b!.leaseToken, reason: 'x' })).toThrow(/not held/);
  });

  it('with uncounted expiries, an expired lease spends no attempt and flags the job; too many in a row end it', () => {
    const { jobs, add, claim, clock } = open({ counted: false, maxInARow: 3 });
    const id = add({ maxAttempts: 1 });
    for (let i = 0; i < 2; i++) {
      claim();
      clock.advance(LEASE);
      expect(jobs.recoverExpired()).toBe(1);
      expect(jobs.get(id)).toMatchObject({ state: 'waiting', attemptsMade: 0, uncertain: true });
    }
    claim();
    clock.advance(LEASE);
    jobs.recoverExpired();
    expect(jobs.get(id)).toMatchObject({ state: 'dead_lettered', uncertain: true });
    expect(jobs.get(id).lastError).toMatch(/3 times in a row/);
  });

  it('dead-letters queued jobs held past a cutoff, counting from the later of creation and hold start', () => {
    const { jobs, add, clock } = open();
    const old = add();
    clock.advance(1_000);
    jobs.holdInstance({ instanceId: 'prod', reason: 'refused', sinceMs: clock.now() });
    clock.advance(1_000);
    const newer = add();
    const expired = jobs.expireHeld(clock.now() - 1_000, (h) => `held since ${h.sinceMs}`);
    expect(expired.map((j) => j.id)).toEqual([old]);
    expect(jobs.get(old)).toMatchObject({ state: 'dead_lettered', lastError: `held since ${clock.now() - 1_000}` });
    expect(jobs.get(newer).state).toBe('waiting');
  });

  it('pauses a mapping, counts per mapping, and purges one state of one scope', () => {
    const { jobs, add, claim } = open();
    add();
    add({ mappingId: 'refunds' });
    jobs.pauseMapping('orders');
    const claimed = claim();
    expect(claimed.map((j) => j.mappingId)).toEqual(['refunds']);
    expect(jobs.counts().pausedMappings).toEqual(['orders']);
    expect(jobs.mappingCounts()).toEqual({
      orders: { waiting: 1, delayed: 0, active: 0, dead_lettered: 0 },
      refunds: { waiting: 0, delayed: 0, active: 1, dead_lettered: 0 },
    });
    const [r] = claimed;
    jobs.fail({ id: r!.id, leaseToken: r!.leaseToken, error: '404', unrecoverable: true });
    expect(jobs.mappingCounts().refunds?.dead_lettered).toBe(1);
    expect(jobs.purge({ state: 'dead_lettered', mappingId: 'orders' })).toBe(0);
    expect(jobs.purge({ state: 'dead_lettered', mappingId: 'refunds' })).toBe(1);
    expect(() => jobs.purge({ state: 'waiting' as never })).toThrow(/can be purged/);
    jobs.resumeMapping('orders');
    expect(claim()).toHaveLength(1);
  });
});
