/**
 * The behaviour every JobStore must have, as one suite: run it against each implementation with
 * `describeJobStoreConformance(name, factory)`. Time is a ManualClock; jitter randomness is fixed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../../shared/result';
import { ManualClock } from './manual-clock';
import type { EnqueueInput, JobStore } from '../queue/job-store';

export interface ConformanceSubject {
  store: JobStore;
  cleanup(): void | Promise<void>;
}

/** Builds a fresh, empty store on `clock`, using `random` for backoff jitter. */
export type JobStoreFactory = (clock: ManualClock, random: () => number) => ConformanceSubject;

function expectAppError(fn: () => unknown, code: ErrorCode): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    return error as AppError;
  }
  throw new Error(`expected AppError ${code}, but nothing was thrown`);
}

const LEASE = 10_000;
const job = (over: Partial<EnqueueInput> = {}): EnqueueInput => ({
  instanceId: 'i1',
  mappingId: 'm1',
  payload: { n: 1 },
  backoff: { type: 'fixed', delayMs: 1_000 },
  ...over,
});

export function describeJobStoreConformance(name: string, factory: JobStoreFactory): void {
  describe(`JobStore conformance: ${name}`, () => {
    let subject: ConformanceSubject | undefined;
    let clock: ManualClock;
    afterEach(async () => {
      await subject?.cleanup();
      subject = undefined;
    });
    const open = (random: () => number = () => 0.5): JobStore => {
      clock = new ManualClock();
      subject = factory(clock, random);
      return subject.store;
    };
    const claimIds = (s: JobStore, limit = 100) => s.claim({ limit, leaseMs: LEASE }).map((j) => j.id);

    describe('enqueue and claim', () => {
      it('stores a waiting job with its payload, defaults and execution id', () => {
        const s = open();
        const { job: j, deduplicated } = s.enqueue(job({ payload: { a: [1, 'x'] }, executionId: 7, timeoutMs: 500 }));
        expect(deduplicated).toBe(false);
        expect(s.get(j.id)).toMatchObject({
          state: 'waiting',
          payload: { a: [1, 'x'] },
          executionId: 7,
          priority: 0,
          attemptsMade: 0,
          maxAttempts: 5,
          timeoutMs: 500,
          runAtMs: clock.now(),
          attempts: [],
        });
      });

      it('claims by priority (lower first), then first in first out, in batches', () => {
        const s = open();
        const a = s.enqueue(job({ priority: 5 })).job.id;
        const b = s.enqueue(job({ priority: 1 })).job.id;
        const c = s.enqueue(job({ priority: 5 })).job.id;
        const d = s.enqueue(job({ priority: 1 })).job.id;
        expect(claimIds(s, 3)).toEqual([b, d, a]);
        expect(claimIds(s, 3)).toEqual([c]);
        expect(claimIds(s, 3)).toEqual([]);
      });

      it('marks a claimed job active under a lease and opens its attempt', () => {
        const s = open();
        const id = s.enqueue(job()).job.id;
        const [claimed] = s.claim({ limit: 1, leaseMs: LEASE });
        expect(claimed).toMatchObject({ id, state: 'active', attempt: 1, attemptsMade: 1 });
        expect(claimed?.leaseExpiresAtMs).toBe(clock.now() + LEASE);
        expect(s.get(id).attempts).toEqual([
          {
            attempt: 1,
            startedAtMs: clock.now(),
            finishedAtMs: null,
            outcome: 'running',
            error: null,
            httpStatus: null,
          },
        ]);
      });

      it('enqueues a batch in order, all or nothing', () => {
        const s = open();
        const results = s.enqueueMany([
          job({ payload: 1 }),
          job({ payload: 2, idempotencyKey: 'k' }),
          job({ idempotencyKey: 'k' }),
        ]);
        expect(results.map((r) => [r.job.payload, r.deduplicated])).toEqual([
          [1, false],
          [2, false],
          [2, true],
        ]);
        expectAppError(() => s.enqueueMany([job({ payload: 3 }), job({ delayMs: -1 })]), 'VALIDATION');
        expect(s.counts().total.waiting).toBe(2);
      });

      it('completes and claims in one step', () => {
        const s = open();
        const [a, b] = [s.enqueue(job()).job.id, s.enqueue(job()).job.id];
        const first = s.completeAndClaim([], { limit: 1, leaseMs: LEASE });
        expect(first.claimed.map((j) => j.id)).toEqual([a]);
        const second = s.completeAndClaim(
          [
            { id: a, leaseToken: first.claimed[0]!.leaseToken },
            { id: b, leaseToken: 'x' },
          ],
          {
            limit: 5,
            leaseMs: LEASE,
          },
        );
        expect(second.results).toEqual([{ id: a, ok: true }, expect.objectContaining({ id: b, code: 'CONFLICT' })]);
        expect(second.claimed.map((j) => j.id)).toEqual([b]);
        expect(s.get(a).state).toBe('completed');
        expect(s.completeAndClaim([], { limit: 0, leaseMs: LEASE }).claimed).toEqual([]);
      });

      it('holds a delayed job until it is due', () => {
        const s = open();
        const id = s.enqueue(job({ delayMs: 5_000 })).job.id;
        expect(s.get(id).state).toBe('delayed');
        expect(s.nextDueAtMs()).toBe(clock.now() + 5_000);
        clock.advance(4_999);
        expect(claimIds(s)).toEqual([]);
        clock.advance(1);
        expect(claimIds(s)).toEqual([id]);
      });
    });

    describe('completion and failure', () => {
      it('completes with a result and records the attempt', () => {
        const s = open();
        const id = s.enqueue(job()).job.id;
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        clock.advance(250);
        const done = s.complete({ id, leaseToken: c!.leaseToken, result: { ok: 1 }, httpStatus: 200 });
        expect(done).toMatchObject({ state: 'completed', result: { ok: 1 }, finishedAtMs: clock.now() });
        expect(s.get(id).attempts[0]).toMatchObject({
          outcome: 'completed',
          httpStatus: 200,
          finishedAtMs: clock.now(),
        });
      });

      it('completes a batch, judging each item on its own', () => {
        const s = open();
        const [a, b] = [s.enqueue(job()).job.id, s.enqueue(job()).job.id];
        const claimed = s.claim({ limit: 2, leaseMs: LEASE });
        const results = s.completeMany([
          { id: a, leaseToken: claimed[0]!.leaseToken },
          { id: b, leaseToken: 'not-mine' },
          { id: 999_999, leaseToken: 'x' },
        ]);
        expect(results).toEqual([
          { id: a, ok: true },
          expect.objectContaining({ id: b, ok: false, code: 'CONFLICT' }),
          expect.objectContaining({ id: 999_999, ok: false, code: 'NOT_FOUND' }),
        ]);
        expect([s.get(a).state, s.get(b).state]).toEqual(['completed', 'active']);
      });

      it('retries a failed attempt after its backoff, recording error and status', () => {
        const s = open();
        const id = s.enqueue(job({ backoff: { type: 'fixed', delayMs: 2_000 } })).job.id;
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        const outcome = s.fail({ id, leaseToken: c!.leaseToken, error: 'n8n answered 503', httpStatus: 503 });
        expect(outcome).toEqual({ state: 'delayed', runAtMs: clock.now() + 2_000 });
        expect(s.get(id)).toMatchObject({ state: 'delayed', lastError: 'n8n answered 503', attemptsMade: 1 });
        expect(s.get(id).attempts[0]).toMatchObject({ outcome: 'failed', error: 'n8n answered 503', httpStatus: 503 });
        clock.advance(1_999);
        expect(claimIds(s)).toEqual([]);
        clock.advance(1);
        const [again] = s.claim({ limit: 1, leaseMs: LEASE });
        expect(again).toMatchObject({ id, attempt: 2, attemptsMade: 2 });
      });

      it('grows an exponential backoff per attempt, with jitter from the injected random', () => {
        const s = open(() => 1 - Number.EPSILON); // the top of the jitter range
        const id = s.enqueue(job({ backoff: { type: 'exponential', delayMs: 1_000, jitter: 0.5 } })).job.id;
        const delays: number[] = [];
        for (let i = 0; i < 3; i++) {
          clock.advance(60_000);
          const [c] = s.claim({ limit: 1, leaseMs: LEASE });
          const out = s.fail({ id, leaseToken: c!.leaseToken, error: 'down' });
          delays.push(out.runAtMs! - clock.now());
        }
        expect(delays).toEqual([1_500, 3_000, 6_000]);
      });

      it('honours a Retry-After over the backoff', () => {
        const s = open();
        const id = s.enqueue(job({ backoff: { type: 'fixed', delayMs: 1_000 } })).job.id;
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        const out = s.fail({ id, leaseToken: c!.leaseToken, error: '429', retryAfterMs: 30_000, httpStatus: 429 });
        expect(out.runAtMs).toBe(clock.now() + 30_000);
      });

      it('dead-letters after the last attempt', () => {
        const s = open();
        const id = s.enqueue(job({ maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } })).job.id;
        for (const expected of ['waiting', 'dead_lettered']) {
          const [c] = s.claim({ limit: 1, leaseMs: LEASE });
          expect(s.fail({ id, leaseToken: c!.leaseToken, error: 'boom' }).state).toBe(expected);
        }
        expect(s.get(id)).toMatchObject({ state: 'dead_lettered', attemptsMade: 2, finishedAtMs: clock.now() });
        expect(claimIds(s)).toEqual([]);
      });

      it('dead-letters an unrecoverable failure at once', () => {
        const s = open();
        const id = s.enqueue(job({ maxAttempts: 5 })).job.id;
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        expect(s.fail({ id, leaseToken: c!.leaseToken, error: '404', unrecoverable: true })).toEqual({
          state: 'dead_lettered',
          runAtMs: null,
        });
        expect(s.get(id).attemptsMade).toBe(1);
      });
    });

    describe('leases', () => {
      it('returns a job whose lease expired to waiting, counting the attempt', () => {
        const s = open();
        const id = s.enqueue(job()).job.id;
        const [first] = s.claim({ limit: 1, leaseMs: LEASE });
        clock.advance(LEASE - 1);
        expect(claimIds(s)).toEqual([]);
        clock.advance(1);
        const [second] = s.claim({ limit: 1, leaseMs: LEASE });
        expect(second).toMatchObject({ id, attempt: 2, attemptsMade: 2 });
        expect(s.get(id).attempts.map((a) => a.outcome)).toEqual(['lease_expired', 'running']);
        // The crashed holder's late completion must not count.
        expectAppError(() => s.complete({ id, leaseToken: first!.leaseToken }), 'CONFLICT');
        expect(s.complete({ id, leaseToken: second!.leaseToken }).state).toBe('completed');
      });

      it('dead-letters a job whose lease expired on its last attempt', () => {
        const s = open();
        const id = s.enqueue(job({ maxAttempts: 1 })).job.id;
        s.claim({ limit: 1, leaseMs: LEASE });
        clock.advance(LEASE);
        expect(s.recoverExpired()).toBe(1);
        expect(s.get(id)).toMatchObject({ state: 'dead_lettered' });
        expect(s.get(id).lastError).toMatch(/lease expired/);
      });

      it('keeps a job whose lease is extended', () => {
        const s = open();
        const id = s.enqueue(job()).job.id;
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        clock.advance(LEASE - 1);
        s.extendLease(id, c!.leaseToken, LEASE);
        clock.advance(LEASE - 1);
        expect(s.recoverExpired()).toBe(0);
        expect(s.nextDueAtMs()).toBe(clock.now() + 1);
        expectAppError(() => s.extendLease(id, 'other', LEASE), 'CONFLICT');
      });
    });

    describe('groups: pause and limits', () => {
      it('does not claim a paused instance until it is resumed', () => {
        const s = open();
        const a = s.enqueue(job({ instanceId: 'paused' })).job.id;
        const b = s.enqueue(job({ instanceId: 'other' })).job.id;
        s.pauseInstance('paused');
        expect(s.counts().pausedInstances).toEqual(['paused']);
        expect(claimIds(s)).toEqual([b]);
        s.resumeInstance('paused');
        expect(claimIds(s)).toEqual([a]);
      });

      it('caps active jobs per instance and per mapping without starving other groups', () => {
        const s = open();
        s.setLimits('instance', 'busy', { concurrency: 2, rate: null });
        s.setLimits('mapping', 'slow', { concurrency: 1, rate: null });
        expect(s.getLimits('instance', 'busy')).toEqual({ concurrency: 2, rate: null });
        const busy = [1, 2, 3, 4].map(() => s.enqueue(job({ instanceId: 'busy' })).job.id);
        const slow = [1, 2].map(() => s.enqueue(job({ instanceId: 'free', mappingId: 'slow' })).job.id);
        const free = s.enqueue(job({ instanceId: 'free' })).job.id;
        const claimed = s.claim({ limit: 100, leaseMs: LEASE });
        expect(claimed.map((j) => j.id)).toEqual([busy[0], busy[1], slow[0], free]);
        expect(claimIds(s)).toEqual([]);
        s.complete({ id: busy[0]!, leaseToken: claimed[0]!.leaseToken });
        expect(claimIds(s)).toEqual([busy[2]]);
      });

      it('limits claims per window and opens the next window on time', () => {
        const s = open();
        s.setLimits('instance', 'i1', { concurrency: null, rate: { max: 2, windowMs: 1_000 } });
        for (let i = 0; i < 5; i++) s.enqueue(job());
        expect(claimIds(s)).toHaveLength(2);
        clock.advance(999);
        expect(claimIds(s)).toHaveLength(0);
        clock.advance(1);
        expect(claimIds(s)).toHaveLength(2);
        s.setLimits('instance', 'i1', { concurrency: null, rate: null });
        expect(s.getLimits('instance', 'i1')).toEqual({ concurrency: null, rate: null });
        expect(claimIds(s)).toHaveLength(1);
      });
    });

    describe('idempotency', () => {
      it('returns the existing job for a key seen within its window, a new one after it', () => {
        const s = open();
        const first = s.enqueue(job({ idempotencyKey: 'order-1', idempotencyWindowMs: 60_000 }));
        const again = s.enqueue(job({ idempotencyKey: 'order-1', payload: { different: true } }));
        expect(again).toEqual({ job: first.job, deduplicated: true });
        expect(s.enqueue(job({ idempotencyKey: 'order-2' })).deduplicated).toBe(false);
        clock.advance(60_000);
        const later = s.enqueue(job({ idempotencyKey: 'order-1' }));
        expect(later.deduplicated).toBe(false);
        expect(later.job.id).not.toBe(first.job.id);
        expect(s.counts().total.waiting).toBe(3);
      });

      it('still answers with a finished job for its key', () => {
        const s = open();
        const first = s.enqueue(job({ idempotencyKey: 'k' })).job.id;
        s.cancel([first]);
        expect(s.enqueue(job({ idempotencyKey: 'k' }))).toMatchObject({
          deduplicated: true,
          job: { id: first, state: 'canceled' },
        });
      });
    });

    describe('operator actions', () => {
      it('requeues dead-lettered jobs with attempts reset, keeping their history', () => {
        const s = open();
        const id = s.enqueue(job({ maxAttempts: 1 })).job.id;
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        s.fail({ id, leaseToken: c!.leaseToken, error: 'boom' });
        const [requeued] = s.requeueDead([id]);
        expect(requeued).toMatchObject({ id, state: 'waiting', attemptsMade: 0, finishedAtMs: null });
        const [again] = s.claim({ limit: 1, leaseMs: LEASE });
        expect(again).toMatchObject({ id, attempt: 2, attemptsMade: 1 });
        expect(s.get(id).attempts.map((a) => a.outcome)).toEqual(['failed', 'running']);
      });

      it('refuses to requeue what is not dead-lettered, changing nothing', () => {
        const s = open();
        const dead = s.enqueue(job({ maxAttempts: 1 })).job.id;
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        s.fail({ id: dead, leaseToken: c!.leaseToken, error: 'boom', unrecoverable: true });
        const waiting = s.enqueue(job()).job.id;
        expectAppError(() => s.requeueDead([dead, waiting]), 'CONFLICT');
        expectAppError(() => s.requeueDead([dead, 424_242]), 'NOT_FOUND');
        expect(s.get(dead).state).toBe('dead_lettered');
      });

      it('cancels queued jobs only, all or nothing', () => {
        const s = open();
        const a = s.enqueue(job()).job.id;
        const b = s.enqueue(job({ delayMs: 1_000 })).job.id;
        const c = s.enqueue(job({ priority: -1 })).job.id;
        s.claim({ limit: 1, leaseMs: LEASE }); // c is active now
        expectAppError(() => s.cancel([a, c]), 'CONFLICT');
        expect(s.get(a).state).toBe('waiting');
        expect(s.cancel([a, b]).map((j) => j.state)).toEqual(['canceled', 'canceled']);
        expect(claimIds(s)).toEqual([]);
      });

      it('counts by state and instance, and lists with filters and paging', () => {
        const s = open();
        const ids = [
          s.enqueue(job({ instanceId: 'x' })).job.id,
          s.enqueue(job({ instanceId: 'x', delayMs: 10 })).job.id,
          s.enqueue(job({ instanceId: 'y', mappingId: 'm2' })).job.id,
        ];
        const counts = s.counts();
        expect(counts.total).toEqual({
          waiting: 2,
          delayed: 1,
          active: 0,
          completed: 0,
          dead_lettered: 0,
          canceled: 0,
        });
        expect(counts.byInstance.x).toMatchObject({ waiting: 1, delayed: 1 });
        expect(counts.byInstance.y).toMatchObject({ waiting: 1, delayed: 0 });
        expect(s.list().map((j) => j.id)).toEqual([...ids].reverse());
        expect(s.list({ states: ['delayed'] }).map((j) => j.id)).toEqual([ids[1]]);
        expect(s.list({ instanceId: 'x', limit: 1 }).map((j) => j.id)).toEqual([ids[1]]);
        expect(s.list({ instanceId: 'x', beforeId: ids[1]! }).map((j) => j.id)).toEqual([ids[0]]);
        expect(s.list({ mappingId: 'm2' }).map((j) => j.id)).toEqual([ids[2]]);
      });

      it('purges finished jobs older than a time, keeping the dead letter unless asked', () => {
        const s = open();
        const done = s.enqueue(job()).job.id;
        const dead = s.enqueue(job({ maxAttempts: 1 })).job.id;
        const claimed = s.claim({ limit: 2, leaseMs: LEASE });
        s.complete({ id: done, leaseToken: claimed[0]!.leaseToken });
        s.fail({ id: dead, leaseToken: claimed[1]!.leaseToken, error: 'x' });
        clock.advance(1);
        expect(s.purgeFinished({ finishedBeforeMs: clock.now() })).toBe(1);
        expectAppError(() => s.get(done), 'NOT_FOUND');
        expect(s.purgeFinished({ finishedBeforeMs: clock.now(), includeDeadLettered: true })).toBe(1);
      });

      it('tells listeners after a change has committed', async () => {
        const s = open();
        let calls = 0;
        const off = s.onChange(() => calls++);
        s.enqueue(job());
        s.enqueue(job());
        await Promise.resolve();
        expect(calls).toBe(1); // coalesced
        off();
        s.enqueue(job());
        await Promise.resolve();
        expect(calls).toBe(1);
      });
    });

    describe('bad input changes nothing', () => {
      it('rejects bad enqueues with VALIDATION', () => {
        const s = open();
        const bad: Partial<EnqueueInput>[] = [
          { delayMs: -1 },
          { delayMs: 1.5 },
          { instanceId: '' },
          { mappingId: undefined as never },
          { maxAttempts: 0 },
          { priority: Number.NaN },
          { backoff: { type: 'linear' } as never },
          { backoff: { type: 'fixed', delayMs: -5 } },
          { payload: undefined },
          { payload: { n: 1n } as never },
          { idempotencyKey: '' },
          { executionId: -3 },
        ];
        for (const over of bad) expectAppError(() => s.enqueue(job(over)), 'VALIDATION');
        expect(s.counts().total.waiting + s.counts().total.delayed).toBe(0);
      });

      it('rejects unknown ids, foreign leases and bad options with clear codes', () => {
        const s = open();
        const id = s.enqueue(job()).job.id;
        expectAppError(() => s.get(123_456), 'NOT_FOUND');
        expectAppError(() => s.complete({ id: 123_456, leaseToken: 'x' }), 'NOT_FOUND');
        expectAppError(() => s.complete({ id, leaseToken: 'x' }), 'CONFLICT'); // waiting, not held
        expectAppError(() => s.fail({ id, leaseToken: 'x', error: 'e' }), 'CONFLICT');
        expectAppError(() => s.claim({ limit: 0, leaseMs: LEASE }), 'VALIDATION');
        expectAppError(() => s.claim({ limit: 1, leaseMs: -1 }), 'VALIDATION');
        expectAppError(() => s.cancel([]), 'VALIDATION');
        expectAppError(() => s.setLimits('instance', 'i1', { concurrency: 0, rate: null }), 'VALIDATION');
        expectAppError(() => s.setLimits('group' as never, 'i1', { concurrency: 1, rate: null }), 'VALIDATION');
        expectAppError(() => s.list({ states: ['lost' as never] }), 'VALIDATION');
        expectAppError(() => s.pauseInstance(''), 'VALIDATION');
        const [c] = s.claim({ limit: 1, leaseMs: LEASE });
        expectAppError(() => s.fail({ id, leaseToken: c!.leaseToken, error: 'e', retryAfterMs: -1 }), 'VALIDATION');
        expectAppError(() => s.complete({ id, leaseToken: c!.leaseToken, result: { n: 1n } }), 'VALIDATION');
        expect(s.get(id)).toMatchObject({ state: 'active', attempts: [{ outcome: 'running' }] });
        expect(s.getLimits('instance', 'i1')).toEqual({ concurrency: null, rate: null });
      });
    });
  });
}
