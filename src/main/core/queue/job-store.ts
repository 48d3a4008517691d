/**
 * The durable queue's port. The SQLite implementation (sqlite-job-store.ts) is the one that
 * ships; the conformance suite (job-store.conformance.ts) pins the behaviour any other backend
 * must match.
 *
 * The interface is synchronous on purpose: enqueueing commits in the same SQLite transaction as
 * the caller's own rows (the executions row, a schedule tick), so "acknowledged" means "durably
 * queued". A networked backend would sit behind an outbox table written in that transaction.
 *
 * Errors: every method throws `AppError` with NOT_FOUND (unknown job id), CONFLICT (wrong state,
 * or a lease the caller does not hold) or VALIDATION (bad input), and then has changed nothing.
 */
import { QUEUE_JOB_STATES } from '../../../shared/contract/queue';
import type { BackoffPolicy } from './backoff';

/**
 * waiting: due, claimable · delayed: not due before `runAtMs` (first delay or retry backoff) ·
 * active: claimed under a lease · completed · dead_lettered: failed after its last attempt or
 * unrecoverably (BullMQ's "failed"; kept for requeue) · canceled: removed from the queue by an operator.
 */
export const JOB_STATES = QUEUE_JOB_STATES;
export type JobState = (typeof JOB_STATES)[number];

/** States a job can still leave by itself. */
export const QUEUED_STATES: readonly JobState[] = ['waiting', 'delayed'];
export const TERMINAL_JOB_STATES: readonly JobState[] = ['completed', 'dead_lettered', 'canceled'];

export interface EnqueueInput {
  /** n8n instance the job targets: the pause group and a limit group. */
  instanceId: string;
  /** Mapping that produced the job: a limit group. */
  mappingId: string;
  /** Opaque JSON (stored as given, returned parsed). */
  payload: unknown;
  /** The executions row this job drives; the queue only stores it. */
  executionId?: number | null;
  /** Lower runs first; FIFO within a priority. Integer, default 0. */
  priority?: number;
  /** Not claimable before now + delayMs. Milliseconds, ≥ 0, default 0. */
  delayMs?: number;
  /** Total attempts including the first, 1–100. Default 5. */
  maxAttempts?: number;
  /** Wait between attempts. Default exponential 1 s doubling, ±20 % jitter, capped at 10 min. */
  backoff?: BackoffPolicy;
  /** Per-attempt time limit for the handler, milliseconds (stored for the handler). */
  timeoutMs?: number | null;
  /**
   * The same key within its window yields the existing job instead of a new one. Keys are
   * global to the store: derive them per target (`<event key>:<mapping id>`) when one event
   * fans out to several jobs.
   */
  idempotencyKey?: string;
  /** How long the key is remembered, milliseconds. Default 24 h. */
  idempotencyWindowMs?: number;
}

export interface EnqueueResult {
  job: Job;
  /** True when the idempotency key was seen within its window: `job` is the earlier one. */
  deduplicated: boolean;
}

export interface Job {
  id: number;
  instanceId: string;
  mappingId: string;
  executionId: number | null;
  state: JobState;
  priority: number;
  payload: unknown;
  idempotencyKey: string | null;
  /** Attempts started so far (a claimed attempt counts even if its process crashed). */
  attemptsMade: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number | null;
  /** When the job is (or was) due, epoch ms. */
  runAtMs: number;
  /** Lease expiry while active, epoch ms. */
  leaseExpiresAtMs: number | null;
  lastError: string | null;
  /**
   * The last attempt may have reached its target without its outcome being recorded (its worker
   * vanished, or the connection broke after the request was sent): check before acting again.
   * Cleared when an answer is recorded (fail) or the job finishes.
   */
  uncertain: boolean;
  /** What the handler returned on completion (JSON), else null. */
  result: unknown;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
}

/** A job handed to a worker: the token proves the lease on complete/fail/extend. */
export interface ClaimedJob extends Job {
  leaseToken: string;
  /** 1-based number of the attempt this claim started. */
  attempt: number;
}

/** `returned`: the attempt never reached its target and did not count (see JobStore.returnJob). */
export type AttemptOutcome = 'running' | 'completed' | 'failed' | 'lease_expired' | 'returned';

export interface JobAttempt {
  attempt: number;
  startedAtMs: number;
  finishedAtMs: number | null;
  outcome: AttemptOutcome;
  error: string | null;
  httpStatus: number | null;
}

export interface JobWithAttempts extends Job {
  attempts: JobAttempt[];
}

export interface ClaimOptions {
  /** Most jobs to claim in this one transaction, 1–1000. */
  limit: number;
  /** Lease length, milliseconds (> 0): unless completed, failed or extended by then, the job is reclaimed. */
  leaseMs: number;
}

export interface CompleteInput {
  id: number;
  leaseToken: string;
  /** Stored as JSON on the job. */
  result?: unknown;
  /** HTTP status of the attempt, recorded in its history. */
  httpStatus?: number;
}

export interface FailInput {
  id: number;
  leaseToken: string;
  /** Why the attempt failed, in words an operator understands. */
  error: string;
  /** Skip remaining attempts: dead-letter now (4xx other than 408/429, a bad mapping…). */
  unrecoverable?: boolean;
  /** Server asked to wait (HTTP 429 Retry-After), milliseconds: replaces the backoff delay. */
  retryAfterMs?: number;
  httpStatus?: number;
  /** The request may have reached the target anyway (a gateway's 502/504): the next claim checks first. */
  uncertain?: boolean;
}

/** A claimed job given back without counting its attempt (see JobStore.returnJob). */
export interface ReturnInput {
  id: number;
  leaseToken: string;
  /** Why the attempt did not count, in words an operator understands. */
  reason: string;
  /** Not claimable before now + delayMs (ms, default 0). A hold on the instance may keep it longer. */
  delayMs?: number;
  /** The request may have reached the target: the next claim must check first (Job.uncertain). */
  uncertain?: boolean;
}

/** A hold: an instance whose jobs wait because their target cannot be reached. */
export interface InstanceHold {
  instanceId: string;
  /** Why, in words an operator understands (e.g. "connection refused"). */
  reason: string;
  /** Since when, epoch ms. */
  sinceMs: number;
}

/** What a fail() did: retry (now when the delay is 0, else later), or dead-lettered. */
export interface FailOutcome {
  state: 'waiting' | 'delayed' | 'dead_lettered';
  /** When the next attempt is due, epoch ms (null when dead-lettered). */
  runAtMs: number | null;
}

/** Per-item result of a batch complete: one bad item does not undo the others. */
export type BatchItemResult = { id: number; ok: true } | { id: number; ok: false; code: string; message: string };

/** Limits of one group; null means unlimited. */
export interface GroupLimits {
  /** Most active (claimed) jobs of the group at once, ≥ 1. */
  concurrency: number | null;
  /** Most claims per fixed window, e.g. `{ max: 10, windowMs: 1000 }`. */
  rate: { max: number; windowMs: number } | null;
}

export type LimitScope = 'instance' | 'mapping';

export type StateCounts = Record<JobState, number>;

export interface QueueCounts {
  total: StateCounts;
  /** Per instance id (instances with no jobs are absent). */
  byInstance: Record<string, StateCounts>;
  /** Instances whose jobs are not being claimed (the operator's pause). */
  pausedInstances: string[];
  /** Mappings whose jobs are not being claimed (the operator's pause). */
  pausedMappings: string[];
  /** Instances whose jobs wait for their target to answer again (not the operator's doing). */
  holds: InstanceHold[];
}

/** Jobs not finished yet, and dead letters, per mapping (mappings with none are absent). */
export type MappingCounts = Record<string, Pick<StateCounts, 'waiting' | 'delayed' | 'active' | 'dead_lettered'>>;

export interface ListJobsQuery {
  states?: JobState[];
  instanceId?: string;
  mappingId?: string;
  /** Jobs with id below this (paging backwards from the newest). */
  beforeId?: number;
  /** 1–1000, default 100. */
  limit?: number;
}

export interface PurgeOptions {
  state: 'completed' | 'canceled' | 'dead_lettered';
  instanceId?: string;
  mappingId?: string;
}

export interface JobStore {
  enqueue(input: EnqueueInput): EnqueueResult;
  /**
   * Enqueues many in one transaction (group commit: one commit for the lot). All-or-nothing:
   * one invalid input rejects the batch with VALIDATION. Results are in input order.
   */
  enqueueMany(inputs: EnqueueInput[]): EnqueueResult[];
  /** Claims up to `limit` due jobs (priority, then FIFO) in one transaction, honouring pause and limits. */
  claim(options: ClaimOptions): ClaimedJob[];
  /** Completes one job; CONFLICT if the lease is not held (expired and reclaimed, or wrong token). */
  complete(input: CompleteInput): Job;
  /** Completes many in one transaction, each item judged on its own. */
  completeMany(inputs: CompleteInput[]): BatchItemResult[];
  /**
   * Completes `inputs` (each judged on its own) and claims up to `claim.limit` (0 allowed) in one
   * transaction: the worker's hot path, one commit per turn (BullMQ's moveToFinished + fetch next).
   */
  completeAndClaim(inputs: CompleteInput[], claim: ClaimOptions): { results: BatchItemResult[]; claimed: ClaimedJob[] };
  /** Records a failed attempt: retry after backoff, or dead-letter (last attempt / unrecoverable). */
  fail(input: FailInput): FailOutcome;
  /** Pushes the lease of an active job out to now + leaseMs (long-running handlers). */
  extendLease(id: number, leaseToken: string, leaseMs: number): void;
  /**
   * Returns active jobs whose lease expired to waiting (or dead-letters them when that was their
   * last attempt). `claim` does this itself; exposed for tests and stats. Returns how many.
   */
  recoverExpired(): number;
  /**
   * Gives a claimed job back without counting its attempt: the call never reached its target (or
   * may have, with `uncertain`, to be checked by the next claim). The attempt is kept in the
   * history as `returned`. CONFLICT if the lease is not held.
   */
  returnJob(input: ReturnInput): FailOutcome;
  /**
   * Holds an instance: its queued jobs are not claimed until the hold is lifted. Holding a held
   * instance keeps its first `sinceMs` and takes the new reason.
   */
  holdInstance(hold: InstanceHold): void;
  /** Lifts an instance's hold (nothing happens when there is none). */
  liftHold(instanceId: string): void;
  /**
   * Dead-letters queued jobs of held instances that have waited on the hold since `cutoffMs` or
   * before (the later of the job's creation and the hold's start), with `reason(hold)` as their
   * error. Returns them.
   */
  expireHeld(cutoffMs: number, reason: (hold: InstanceHold) => string): Job[];
  pauseMapping(mappingId: string): void;
  resumeMapping(mappingId: string): void;
  /** Moves dead-lettered jobs back to waiting with attempts reset. All-or-nothing. */
  requeueDead(ids: number[]): Job[];
  /** Cancels waiting or delayed jobs. All-or-nothing: CONFLICT if any is not queued. */
  cancel(ids: number[]): Job[];
  pauseInstance(instanceId: string): void;
  resumeInstance(instanceId: string): void;
  /** Sets (or with both null, clears) the limits of a group. */
  setLimits(scope: LimitScope, scopeId: string, limits: GroupLimits): void;
  getLimits(scope: LimitScope, scopeId: string): GroupLimits;
  get(id: number): JobWithAttempts;
  list(query?: ListJobsQuery): Job[];
  counts(): QueueCounts;
  /** Per-mapping counts of jobs not finished yet, and dead letters. */
  mappingCounts(): MappingCounts;
  /**
   * Earliest time something becomes claimable without a new enqueue: a delayed job's due time or
   * an active lease's expiry, epoch ms; null when there is neither. (Waiting jobs are due now.)
   */
  nextDueAtMs(): number | null;
  /** Deletes finished jobs (completed, canceled; dead-lettered only if asked) finished before a time. */
  purgeFinished(options: { finishedBeforeMs: number; includeDeadLettered?: boolean }): number;
  /** Deletes the finished jobs of one state, optionally of one instance or mapping. Returns how many. */
  purge(options: PurgeOptions): number;
  /** Called after each committed change (enqueue, claim, finish…); returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}
