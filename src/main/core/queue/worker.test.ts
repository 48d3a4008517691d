import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import { JobFailure } from './backoff';
import type { ClaimedJob, EnqueueInput } from './job-store';
import { createSqliteJobStore } from './sqlite-job-store';
import type { Timers } from '../timers';
import { createWorker, type JobHandler, type WorkerOptions } from './worker';

/** Timers on the manual clock: they fire only when the test advances time. */
class ManualTimers implements Timers {
  private pending = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  constructor(private clock: ManualClock) {}
  setTimeout(fn: () => void, ms: number) {
    const id = this.nextId++;
    this.pending.set(id, { at: this.clock.now() + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.pending.delete(handle as number);
  }
  /** Moves time forward, firing due timers in order (and letting the worker react). */
  async advance(ms: number) {
    const until = this.clock.now() + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.clock.set(Math.max(this.clock.now(), due[1].at));
      due[1].fn();
      await settle();
    }
    this.clock.set(until);
    await settle();
  }
}

/** Lets queued setImmediate/microtask work run (the worker's pump), without waiting on time. */
const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

const cleanups: (() => unknown)[] = [];
/** Handlers a test left pending are released first, so stopping the worker does not wait forever. */
const releases: (() => void)[] = [];
afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function setup(handler: JobHandler, options: Partial<WorkerOptions> = {}) {
  const dir = tempDir('flightdeck-worker-');
  const clock = new ManualClock();
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => clock.now() });
  const queue = createSqliteJobStore({ store, clock, random: () => 0.5 });
  const timers = new ManualTimers(clock);
  const errors: unknown[] = [];
  const worker = createWorker({
    store: queue,
    handler,
    clock,
    timers,
    leaseMs: 10_000,
    idlePollMs: 1_000,
    onError: (e) => errors.push(e),
    ...options,
  });
  cleanups.push(
    dir.remove,
    () => store.close(),
    () => worker.stop(),
  );
  const add = (over: Partial<EnqueueInput> = {}) =>
    queue.enqueue({ instanceId: 'i', mappingId: 'm', payload: {}, backoff: { type: 'fixed', delayMs: 5_000 }, ...over })
      .job.id;
  return { queue, worker, timers, clock, errors, add, store };
}

/** A handler whose calls wait until the test resolves or rejects them. */
function controlled() {
  const calls: { job: ClaimedJob; signal: AbortSignal; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const handler: JobHandler = (job, signal) =>
    new Promise<void>((resolve, reject) => calls.push({ job, signal, resolve, reject }));
  releases.push(() => calls.forEach((c) => c.resolve()));
  return { calls, handler };
}

describe('worker', () => {
  it("writes a turn's completions, the handlers' records and the next claim in one transaction", async () => {
    const { calls, handler } = controlled();
    const claimedInTx: number[][] = [];
    const recorded: { id: number; state: unknown; inTransaction: boolean }[] = [];
    let commits = 0;
    const t = setup(
      async (job, signal) => {
        await handler(job, signal);
        return {
          httpStatus: 200,
          record: () =>
            recorded.push({
              id: job.id,
              state: t.store.db.prepare('SELECT state FROM jobs WHERE id = ?').pluck().get(job.id),
              inTransaction: t.store.db.inTransaction,
            }),
        };
      },
      {
        concurrency: 4,
        transaction: (fn) => {
          const outer = !t.store.db.inTransaction;
          const result = t.store.write(fn);
          if (outer) commits += 1;
          return result;
        },
        onClaimed: (jobs) => {
          expect(t.store.db.inTransaction).toBe(true);
          claimedInTx.push(jobs.map((j) => j.id));
        },
      },
    );
    const ids = Array.from({ length: 8 }, () => t.add());
    t.worker.start();
    await settle();
    expect(claimedInTx).toEqual([ids.slice(0, 4)]);
    commits = 0;
    for (const call of calls.splice(0)) call.resolve(); // four answers arrive together
    await settle();
    // One commit: four completions, their records (each sees its job completed) and the next claim.
    expect(commits).toBe(1);
    expect(recorded).toEqual(ids.slice(0, 4).map((id) => ({ id, state: 'completed', inTransaction: true })));
    expect(claimedInTx).toEqual([ids.slice(0, 4), ids.slice(4)]);
  });

  it('runs every job with at most `concurrency` in flight and records completions', async () => {
    let running = 0;
    let peak = 0;
    const t = setup(
      async () => {
        peak = Math.max(peak, ++running);
        await settle(1);
        running--;
        return { httpStatus: 200, result: { ok: true } };
      },
      { concurrency: 4 },
    );
    const ids = Array.from({ length: 25 }, () => t.add());
    t.worker.start();
    await settle(60);
    expect(ids.map((id) => t.queue.get(id).state)).toEqual(ids.map(() => 'completed'));
    expect(peak).toBe(4);
    expect(t.queue.get(ids[0]!).attempts[0]).toMatchObject({ outcome: 'completed', httpStatus: 200 });
  });

  it('wakes at once for an enqueue in this process while idle', async () => {
    const { calls, handler } = controlled();
    const t = setup(handler);
    t.worker.start();
    await settle();
    const id = t.add();
    await settle();
    expect(calls.map((c) => c.job.id)).toEqual([id]);
  });

  it('retries a failed job after its backoff, and dead-letters an unrecoverable one', async () => {
    const { calls, handler } = controlled();
    const t = setup(handler);
    const retried = t.add();
    const doomed = t.add();
    t.worker.start();
    await settle();
    calls[0]!.reject(new Error('n8n unreachable'));
    calls[1]!.reject(new JobFailure('HTTP 404', { unrecoverable: true, httpStatus: 404 }));
    await settle();
    expect([t.queue.get(retried).state, t.queue.get(doomed).state]).toEqual(['delayed', 'dead_lettered']);
    expect(t.queue.get(doomed).attempts[0]).toMatchObject({ outcome: 'failed', httpStatus: 404 });
    await t.timers.advance(4_999);
    expect(calls).toHaveLength(2);
    await t.timers.advance(1);
    expect(calls.map((c) => c.job.id)).toEqual([retried, doomed, retried]);
    calls[2]!.resolve();
    await settle();
    expect(t.queue.get(retried)).toMatchObject({ state: 'completed', attemptsMade: 2 });
  });

  it('keeps the lease of a long job alive', async () => {
    const { calls, handler } = controlled();
    const t = setup(handler);
    const id = t.add();
    t.worker.start();
    await settle();
    await t.timers.advance(35_000); // three and a half leases
    expect(t.queue.recoverExpired()).toBe(0);
    calls[0]!.resolve();
    await settle();
    expect(t.queue.get(id)).toMatchObject({ state: 'completed', attemptsMade: 1 });
  });

  it('aborts the handler’s signal when the job times out', async () => {
    const { calls, handler } = controlled();
    const t = setup(handler);
    t.add({ timeoutMs: 2_000 });
    t.worker.start();
    await settle();
    await t.timers.advance(1_999);
    expect(calls[0]!.signal.aborted).toBe(false);
    await t.timers.advance(1);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(String(calls[0]!.signal.reason)).toMatch(/Timed out after 2000 ms/);
  });

  it('stops claiming on stop and waits for the jobs in flight', async () => {
    const { calls, handler } = controlled();
    const t = setup(handler, { concurrency: 1 });
    const first = t.add();
    const second = t.add();
    t.worker.start();
    await settle();
    let stopped = false;
    const stopping = t.worker.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    calls[0]!.resolve();
    await stopping;
    expect(t.queue.get(first).state).toBe('completed');
    expect(t.queue.get(second).state).toBe('waiting');
    expect(calls).toHaveLength(1);
    expect(t.worker.inFlight).toBe(0);
  });

  it('completes a job whose result cannot be stored, rather than deliver it again', async () => {
    const t = setup(async () => ({ result: { big: 1n }, httpStatus: 200 }));
    const id = t.add();
    t.worker.start();
    await settle();
    expect(t.queue.get(id)).toMatchObject({ state: 'completed', result: null, attemptsMade: 1 });
    expect(String(t.errors[0])).toMatch(/JSON/);
  });

  it('survives a store error and tries again on the next turn', async () => {
    let failNext = true;
    const t = setup(async () => {});
    const realClaim = t.queue.completeAndClaim;
    t.queue.completeAndClaim = (inputs, options) => {
      if (failNext) {
        failNext = false;
        throw new Error('SQLITE_BUSY: database is locked');
      }
      return realClaim(inputs, options);
    };
    const id = t.add();
    t.worker.start();
    await settle();
    expect(String(t.errors[0])).toMatch(/SQLITE_BUSY/);
    await t.timers.advance(1_000); // the idle poll
    expect(t.queue.get(id).state).toBe('completed');
  });
});
