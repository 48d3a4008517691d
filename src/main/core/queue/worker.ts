/**
 * A worker loop over a JobStore: claims due jobs in batches, runs an async handler for each with
 * up to `concurrency` in flight, keeps their leases alive, and records the outcome (completions
 * batched per tick, failures classified by backoff.ts). Time is injected so tests drive it.
 */
import type { Clock } from '../clock';
import { systemTimers, type Timers } from '../timers';
import { systemClock } from '../clock';
import { classifyFailure, JobSettled } from './backoff';
import type { BatchItemResult, ClaimedJob, CompleteInput, JobStore } from './job-store';

/** What a handler may report on success; both fields are optional. */
export interface JobSuccess {
  /** Stored as JSON on the job. */
  result?: unknown;
  /** HTTP status of the delivery, for the attempt history. */
  httpStatus?: number;
  /**
   * The handler's own record of the success (the run's row), written in the same transaction as
   * the job's completion, so a turn's outcomes share one commit. Skipped when the lease was lost
   * (whoever holds the job now records it). Needs `transaction` to be atomic with the completion.
   */
  record?: () => void;
}

/**
 * Runs one attempt. Resolve = success; throw = failure (a JobFailure says unrecoverable or
 * Retry-After; anything named UnrecoverableError skips retries); throw JobSettled after recording
 * the outcome itself (JobStore.fail or returnJob with the job's lease token). `signal` aborts when the job's
 * timeoutMs passes, the lease is lost, or the worker is stopping past its grace period.
 */
export type JobHandler = (job: ClaimedJob, signal: AbortSignal) => Promise<JobSuccess | void>;

export interface WorkerOptions {
  store: JobStore;
  handler: JobHandler;
  /** Most handlers running at once. Default 10. */
  concurrency?: number;
  /** Lease per claim, milliseconds; renewed every leaseMs/2 while the handler runs. Default 30 000. */
  leaseMs?: number;
  /** Longest sleep when there is nothing to claim, milliseconds (an enqueue in this process wakes it at once). Default 250. */
  idlePollMs?: number;
  clock?: Clock;
  timers?: Timers;
  /** Store errors the loop survived (a lost lease, a busy database); default: ignored. */
  onError?: (error: unknown, job?: ClaimedJob) => void;
  /**
   * The transaction the store's own writes join (the core's store.write): a turn's completions,
   * the handlers' records and the claim then commit once. Default: none (each store call commits).
   */
  transaction?: <T>(fn: () => T) => T;
  /** Called inside the claim's transaction with the jobs just claimed (e.g. to mark their runs started). */
  onClaimed?: (jobs: ClaimedJob[]) => void;
}

export interface Worker {
  start(): void;
  /** Stops claiming and waits for the jobs in flight to finish and be recorded. */
  stop(): Promise<void>;
  /** Jobs whose handler is running now. */
  readonly inFlight: number;
}

export function createWorker(options: WorkerOptions): Worker {
  const { store, handler } = options;
  const concurrency = options.concurrency ?? 10;
  const leaseMs = options.leaseMs ?? 30_000;
  const idlePollMs = options.idlePollMs ?? 250;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const onError = options.onError ?? (() => {});

  const transaction = options.transaction ?? (<T>(fn: () => T): T => fn());
  const running = new Map<number, Promise<void>>();
  /** Completions of this turn, with the handler's record of each (JobSuccess.record). */
  type Completion = CompleteInput & { record?: () => void };
  let completions: Completion[] = [];
  let started = false;
  let stopping = false;
  let pumpQueued = false;
  let hungry = false;
  let wake: unknown;
  let unsubscribe: (() => void) | undefined;

  function schedulePump(): void {
    if (pumpQueued) return;
    pumpQueued = true;
    setImmediate(() => {
      pumpQueued = false;
      pump();
    });
  }

  /** Records the outcome of completions the store could not take (a lost lease, a bad result). */
  function handleResults(batch: Completion[], results: BatchItemResult[]): void {
    for (const item of results) {
      if (item.ok) {
        const record = batch.find((b) => b.id === item.id)?.record;
        if (record) runRecord(record);
        continue;
      }
      const input = batch.find((b) => b.id === item.id);
      onError(new Error(item.message));
      // A result that cannot be stored as JSON is the handler's bug, but the work was done:
      // complete without the result rather than retry (which would deliver twice).
      if (item.code !== 'VALIDATION' || !input) continue;
      try {
        transaction(() => {
          store.complete({
            id: input.id,
            leaseToken: input.leaseToken,
            ...(input.httpStatus ? { httpStatus: input.httpStatus } : {}),
          });
          if (input.record) runRecord(input.record);
        });
      } catch (error) {
        onError(error);
      }
    }
  }

  /** A record that fails is the handler's bug: logged, and the completion stands (the work was done). */
  function runRecord(record: () => void): void {
    try {
      record();
    } catch (error) {
      onError(error);
    }
  }

  const toInput = ({ record: _record, ...input }: Completion): CompleteInput => input;

  function flushCompletions(): void {
    if (completions.length === 0) return;
    const batch = completions;
    completions = [];
    try {
      transaction(() => handleResults(batch, store.completeMany(batch.map(toInput))));
    } catch (error) {
      onError(error);
    }
  }

  function failJob(id: number, leaseToken: string, thrown: unknown, job?: ClaimedJob): void {
    const facts = classifyFailure(thrown);
    try {
      store.fail({ id, leaseToken, ...facts, error: facts.error || 'The handler failed without a message.' });
    } catch (error) {
      onError(error, job);
    }
  }

  /** One transaction per turn: record what finished, claim what there is room for. */
  function pump(): void {
    const batch = completions;
    completions = [];
    const free = stopping || !started ? 0 : concurrency - running.size;
    if (batch.length === 0 && free <= 0) return;
    let jobs: ClaimedJob[] = [];
    try {
      jobs = transaction(() => {
        const settled = store.completeAndClaim(batch.map(toInput), { limit: Math.max(0, free), leaseMs });
        handleResults(batch, settled.results);
        if (settled.claimed.length > 0) options.onClaimed?.(settled.claimed);
        return settled.claimed;
      });
    } catch (error) {
      completions = batch.concat(completions); // try again next turn; the leases still hold
      onError(error);
    }
    for (const job of jobs) running.set(job.id, run(job));
    if (free <= 0) return;
    hungry = jobs.length < free;
    if (hungry) sleepUntilDue();
  }

  function sleepUntilDue(): void {
    if (wake !== undefined) timers.clearTimeout(wake);
    let delay = idlePollMs;
    try {
      const due = store.nextDueAtMs();
      if (due !== null) delay = Math.min(delay, Math.max(0, due - clock.now()));
    } catch (error) {
      onError(error);
    }
    wake = timers.setTimeout(() => {
      wake = undefined;
      schedulePump();
    }, delay);
  }

  async function run(job: ClaimedJob): Promise<void> {
    const abort = new AbortController();
    let heartbeat: unknown;
    const beat = () => {
      heartbeat = timers.setTimeout(
        () => {
          try {
            store.extendLease(job.id, job.leaseToken, leaseMs);
            beat();
          } catch (error) {
            onError(error, job);
            abort.abort(new Error('The lease on this job was lost; another worker may run it.'));
          }
        },
        Math.max(1, Math.floor(leaseMs / 2)),
      );
    };
    beat();
    const timeout =
      job.timeoutMs === null
        ? undefined
        : timers.setTimeout(() => abort.abort(new Error(`Timed out after ${job.timeoutMs} ms.`)), job.timeoutMs);
    try {
      const success = (await handler(job, abort.signal)) ?? {};
      completions.push({
        id: job.id,
        leaseToken: job.leaseToken,
        ...(success.result !== undefined ? { result: success.result } : {}),
        ...(success.httpStatus !== undefined ? { httpStatus: success.httpStatus } : {}),
        ...(success.record ? { record: success.record } : {}),
      });
    } catch (thrown) {
      // A handler that settled its job itself (JobSettled) has nothing left for the worker to record.
      if (!(thrown instanceof JobSettled)) failJob(job.id, job.leaseToken, thrown, job);
    } finally {
      timers.clearTimeout(heartbeat);
      if (timeout !== undefined) timers.clearTimeout(timeout);
      running.delete(job.id);
      schedulePump();
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      unsubscribe = store.onChange(() => {
        if (hungry && !stopping) schedulePump();
      });
      schedulePump();
    },
    async stop() {
      stopping = true;
      unsubscribe?.();
      if (wake !== undefined) timers.clearTimeout(wake);
      wake = undefined;
      while (running.size > 0) await Promise.allSettled([...running.values()]);
      flushCompletions();
    },
    get inFlight() {
      return running.size;
    },
  };
}
