/**
 * The durable queue on the core's SQLite store. Every change is one IMMEDIATE transaction
 * (store.write), so it is atomic with anything the caller writes around it and safe against
 * another process on the same file. Hot paths use prepared statements and batches.
 */
import { AppError } from '../../../shared/result';
import type { Clock } from '../clock';
import type { Store } from '../db/store';
import { backoffDelayMs, backoffProblem, DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, type BackoffPolicy } from './backoff';
import {
  invalid,
  JOB_COLUMNS,
  JOBS_WITH_PAYLOAD,
  MAX_MS,
  requireInt,
  requireText,
  toAttempt,
  toJob,
  toJsonText,
} from './job-rows';
import type { AttemptRow, JobRow } from './job-rows';
import {
  type BatchItemResult,
  type ClaimOptions,
  type CompleteInput,
  type EnqueueInput,
  type EnqueueResult,
  type FailInput,
  type FailOutcome,
  type Job,
  type ReturnInput,
  type JobState,
  type JobStore,
} from './job-store';
import { createAdmin } from './sqlite-admin';
import { createClaimer, type ExpiredLeasePolicy } from './sqlite-claim';

export interface SqliteJobStoreOptions {
  store: Store;
  clock: Clock;
  /** [0, 1) for backoff jitter; injected so tests are exact. Default Math.random. */
  random?: () => number;
  /** Lease tokens; default crypto.randomUUID. */
  newToken?: () => string;
  /** What an expired lease costs (see ExpiredLeasePolicy). Default: the attempt counts. */
  expiredLeases?: ExpiredLeasePolicy;
}

const DAY_MS = 24 * 3_600_000;
type LeaseRow = Pick<
  JobRow,
  | 'id'
  | 'state'
  | 'lease_token'
  | 'attempts_made'
  | 'max_attempts'
  | 'attempt_seq'
  | 'attempt_started_at_ms'
  | 'backoff_json'
>;

export function createSqliteJobStore(options: SqliteJobStoreOptions): JobStore {
  const { store, clock } = options;
  const { db } = store;
  const random = options.random ?? Math.random;
  const claimer = createClaimer(db, options.newToken, options.expiredLeases);

  const insertJob = db.prepare(
    `INSERT INTO jobs (instance_id, mapping_id, execution_id, state, priority, idempotency_key,
       max_attempts, backoff_json, timeout_ms, run_at_ms, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPayload = db.prepare('INSERT INTO job_payloads (job_id, payload_json) VALUES (?, ?)');
  const selectKey = db.prepare('SELECT job_id, expires_at_ms FROM idempotency_keys WHERE key = ?');
  const upsertKey = db.prepare(
    `INSERT INTO idempotency_keys (key, job_id, expires_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET job_id = excluded.job_id, expires_at_ms = excluded.expires_at_ms`,
  );
  const selectJob = db.prepare(`SELECT ${JOB_COLUMNS} FROM ${JOBS_WITH_PAYLOAD} WHERE jobs.id = ?`);
  const selectLease = db.prepare(
    `SELECT id, state, lease_token, attempts_made, max_attempts, attempt_seq, attempt_started_at_ms, backoff_json
     FROM jobs WHERE id = ?`,
  );
  // Checks the lease and finishes in one statement: the completion hot path. The completed
  // attempt stays on the jobs row (read back by get()): no job_attempts row per job.
  const completeJob = db.prepare(
    `UPDATE jobs SET state = 'completed', result_json = ?, http_status = ?, lease_token = NULL,
       lease_expires_at_ms = NULL, updated_at_ms = ?, finished_at_ms = ?
     WHERE id = ? AND state = 'active' AND lease_token = ?`,
  );
  const recordAttempt = db.prepare(
    `INSERT INTO job_attempts (job_id, attempt, started_at_ms, finished_at_ms, outcome, error, http_status)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  // An answer was recorded: the job is no longer uncertain and its run of expired leases ends.
  const retryJob = db.prepare(
    `UPDATE jobs SET state = ?, run_at_ms = ?, last_error = ?, lease_token = NULL, lease_expires_at_ms = NULL,
       updated_at_ms = ?, uncertain = ?, expired_leases = 0 WHERE id = ?`,
  );
  const deadLetterJob = db.prepare(
    `UPDATE jobs SET state = 'dead_lettered', last_error = ?, lease_token = NULL, lease_expires_at_ms = NULL,
       updated_at_ms = ?, finished_at_ms = ?, uncertain = 0, expired_leases = 0 WHERE id = ?`,
  );
  // The attempt did not count: attempts_made goes back; attempt_seq keeps numbering the history.
  const returnClaimed = db.prepare(
    `UPDATE jobs SET state = ?, run_at_ms = ?, last_error = ?, lease_token = NULL, lease_expires_at_ms = NULL,
       updated_at_ms = ?, uncertain = ?, attempts_made = max(0, attempts_made - 1) WHERE id = ?`,
  );
  const extend = db.prepare('UPDATE jobs SET lease_expires_at_ms = ?, updated_at_ms = ? WHERE id = ?');
  const selectAttempts = db.prepare('SELECT * FROM job_attempts WHERE job_id = ? ORDER BY attempt');
  const nextDue = db
    .prepare(
      `SELECT MIN(t) FROM (
         SELECT MIN(run_at_ms) AS t FROM jobs WHERE state = 'delayed'
         UNION ALL SELECT MIN(lease_expires_at_ms) FROM jobs WHERE state = 'active')`,
    )
    .pluck();

  const listeners = new Set<() => void>();
  let notifyQueued = false;
  /** Listeners run after the outermost transaction (better-sqlite3 commits synchronously). */
  function changed(): void {
    if (notifyQueued || listeners.size === 0) return;
    notifyQueued = true;
    queueMicrotask(() => {
      notifyQueued = false;
      for (const listener of listeners) listener();
    });
  }
  // The admin side (requeue, purge, limits) keeps a savepoint per call; the hot path below joins
  // the caller's transaction (store.join): none of its callers catches a failure and goes on.
  const adminWrite = <T>(fn: () => T): T => {
    const result = store.write(fn);
    changed();
    return result;
  };
  const write = <T>(fn: () => T): T => {
    const result = store.join(fn);
    changed();
    return result;
  };

  const admin = createAdmin(db, clock, adminWrite);

  function holdLease(id: number, leaseToken: string): LeaseRow {
    const row = selectLease.get(id) as LeaseRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `Job ${id} does not exist.`);
    if (row.state !== 'active' || row.lease_token !== leaseToken) {
      throw new AppError(
        'CONFLICT',
        `Job ${id} is not held under this lease (it is ${row.state}); its lease expired and it was reclaimed, or it was finished already.`,
      );
    }
    return row;
  }

  function checkEnqueue(input: EnqueueInput) {
    if (typeof input !== 'object' || input === null) throw invalid('enqueue needs an object.');
    const backoff: BackoffPolicy = input.backoff ?? DEFAULT_BACKOFF;
    const problem = backoffProblem(backoff);
    if (problem) throw invalid(problem);
    if (input.idempotencyKey !== undefined) requireText(input.idempotencyKey, 'idempotencyKey', 500);
    return {
      instance_id: requireText(input.instanceId, 'instanceId'),
      mapping_id: requireText(input.mappingId, 'mappingId'),
      execution_id:
        input.executionId == null ? null : requireInt(input.executionId, 'executionId', 1, Number.MAX_SAFE_INTEGER),
      priority: requireInt(input.priority ?? 0, 'priority', -1_000_000, 1_000_000),
      delayMs: requireInt(input.delayMs ?? 0, 'delayMs', 0, MAX_MS),
      max_attempts: requireInt(input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 'maxAttempts', 1, 100),
      backoff_json: JSON.stringify(backoff),
      timeout_ms: input.timeoutMs == null ? null : requireInt(input.timeoutMs, 'timeoutMs', 1, MAX_MS),
      payload_json: toJsonText(input.payload, 'payload'),
      windowMs: requireInt(input.idempotencyWindowMs ?? DAY_MS, 'idempotencyWindowMs', 1, 365 * DAY_MS),
    };
  }

  /** Inserts one checked job (or finds its key's job); call inside a transaction. */
  function enqueueChecked(checked: ReturnType<typeof checkEnqueue>, key: string | null, now: number): EnqueueResult {
    if (key !== null) {
      const seen = selectKey.get(key) as { job_id: number; expires_at_ms: number } | undefined;
      if (seen && seen.expires_at_ms > now) {
        return { job: toJob(selectJob.get(seen.job_id) as JobRow), deduplicated: true };
      }
    }
    const c = checked;
    const state: JobState = c.delayMs > 0 ? 'delayed' : 'waiting';
    const runAtMs = now + c.delayMs;
    // Positional binding: about 5 µs per insert here against 7–13 µs with named parameters.
    const id = Number(
      insertJob.run(
        c.instance_id,
        c.mapping_id,
        c.execution_id,
        state,
        c.priority,
        key,
        c.max_attempts,
        c.backoff_json,
        c.timeout_ms,
        runAtMs,
        now,
        now,
      ).lastInsertRowid,
    );
    insertPayload.run(id, c.payload_json);
    if (key !== null) upsertKey.run(key, id, now + c.windowMs);
    // The job as stored, built in one literal (spreading row objects per job showed in profiles).
    const row: JobRow = {
      id,
      instance_id: c.instance_id,
      mapping_id: c.mapping_id,
      execution_id: c.execution_id,
      state,
      priority: c.priority,
      payload_json: c.payload_json,
      idempotency_key: key,
      attempts_made: 0,
      attempt_seq: 0,
      max_attempts: c.max_attempts,
      backoff_json: c.backoff_json,
      timeout_ms: c.timeout_ms,
      run_at_ms: runAtMs,
      attempt_started_at_ms: null,
      lease_token: null,
      lease_expires_at_ms: null,
      last_error: null,
      uncertain: 0,
      expired_leases: 0,
      result_json: null,
      http_status: null,
      created_at_ms: now,
      updated_at_ms: now,
      finished_at_ms: null,
    };
    return { job: toJob(row), deduplicated: false };
  }

  function enqueueMany(inputs: EnqueueInput[]): EnqueueResult[] {
    if (!Array.isArray(inputs) || inputs.length > 10_000)
      throw invalid('enqueueMany takes a list of at most 10 000 jobs.');
    const checked = inputs.map((input) => checkEnqueue(input));
    const now = clock.now();
    const results = store.join(() => checked.map((c, i) => enqueueChecked(c, inputs[i]?.idempotencyKey ?? null, now)));
    if (results.some((r) => !r.deduplicated)) changed();
    return results;
  }

  function claim(options: ClaimOptions) {
    const limit = requireInt(options?.limit, 'limit', 1, 1000);
    const leaseMs = requireInt(options?.leaseMs, 'leaseMs', 1, MAX_MS);
    const now = clock.now();
    const jobs = store.join(() => claimer.claim(limit, leaseMs, now));
    if (jobs.length > 0) changed();
    return jobs;
  }

  function completeOne(input: CompleteInput, now: number): void {
    const result = input.result === undefined ? null : toJsonText(input.result, 'result');
    const done = completeJob.run(result, input.httpStatus ?? null, now, now, input.id, input.leaseToken);
    if (done.changes === 0) {
      holdLease(input.id, input.leaseToken); // throws the precise NOT_FOUND or CONFLICT
      throw new AppError('CONFLICT', `Job ${input.id} is not held under this lease.`);
    }
  }

  function complete(input: CompleteInput): Job {
    const now = clock.now();
    return write(() => {
      completeOne(input, now);
      return toJob(selectJob.get(input.id) as JobRow);
    });
  }

  /** Each item on its own: a lost lease or a bad result does not undo the others. */
  const completeEach = (inputs: CompleteInput[], now: number) =>
    inputs.map((input): BatchItemResult => {
      try {
        completeOne(input, now);
        return { id: input.id, ok: true };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return { id: input.id, ok: false, code: error.code, message: error.message };
      }
    });

  function completeMany(inputs: CompleteInput[]): BatchItemResult[] {
    const now = clock.now();
    return write(() => completeEach(inputs, now));
  }

  function completeAndClaim(inputs: CompleteInput[], options: ClaimOptions) {
    const limit = requireInt(options?.limit, 'limit', 0, 1000);
    const leaseMs = requireInt(options?.leaseMs, 'leaseMs', 1, MAX_MS);
    const now = clock.now();
    const settled = store.join(() => {
      const results = completeEach(inputs, now);
      const claimed = limit > 0 ? claimer.claim(limit, leaseMs, now) : [];
      return { results, claimed, housekept: limit > 0 ? claimer.lastHousekept() : 0 };
    });
    // Only a real change wakes listeners: a hungry worker is one of them, and waking it for
    // its own empty claim made an idle worker claim again at once, forever (a core busy).
    if (inputs.length > 0 || settled.claimed.length > 0 || settled.housekept > 0) changed();
    return { results: settled.results, claimed: settled.claimed };
  }

  function fail(input: FailInput): FailOutcome {
    const error = requireText(input.error, 'error', 10_000);
    if (input.retryAfterMs !== undefined) requireInt(input.retryAfterMs, 'retryAfterMs', 0, MAX_MS);
    const now = clock.now();
    return write((): FailOutcome => {
      const row = holdLease(input.id, input.leaseToken);
      const started = row.attempt_started_at_ms ?? now;
      recordAttempt.run(input.id, row.attempt_seq, started, now, 'failed', error, input.httpStatus ?? null);
      if (input.unrecoverable || row.attempts_made >= row.max_attempts) {
        deadLetterJob.run(error, now, now, input.id);
        return { state: 'dead_lettered', runAtMs: null };
      }
      const delay =
        input.retryAfterMs ?? backoffDelayMs(JSON.parse(row.backoff_json) as BackoffPolicy, row.attempts_made, random);
      const state = delay > 0 ? 'delayed' : 'waiting';
      retryJob.run(state, now + delay, error, now, input.uncertain ? 1 : 0, input.id);
      return { state, runAtMs: now + delay };
    });
  }

  function returnJob(input: ReturnInput): FailOutcome {
    const reason = requireText(input.reason, 'reason', 10_000);
    const delay = requireInt(input.delayMs ?? 0, 'delayMs', 0, MAX_MS);
    const now = clock.now();
    return write((): FailOutcome => {
      const row = holdLease(input.id, input.leaseToken);
      recordAttempt.run(input.id, row.attempt_seq, row.attempt_started_at_ms ?? now, now, 'returned', reason, null);
      const state = delay > 0 ? 'delayed' : 'waiting';
      returnClaimed.run(state, now + delay, reason, now, input.uncertain ? 1 : 0, input.id);
      return { state, runAtMs: now + delay };
    });
  }

  function extendLease(id: number, leaseToken: string, leaseMs: number): void {
    requireInt(leaseMs, 'leaseMs', 1, MAX_MS);
    const now = clock.now();
    store.join(() => {
      holdLease(id, leaseToken);
      extend.run(now + leaseMs, now, id);
    });
  }

  function get(id: number) {
    requireInt(id, 'job id', 1, Number.MAX_SAFE_INTEGER);
    const row = selectJob.get(id) as JobRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `Job ${id} does not exist.`);
    const attempts = (selectAttempts.all(id) as AttemptRow[]).map(toAttempt);
    // The attempt in progress and the completed one live on the jobs row, not in job_attempts.
    if (row.state === 'active' || (row.state === 'completed' && row.attempt_seq > 0)) {
      const done = row.state === 'completed';
      attempts.push({
        attempt: row.attempt_seq,
        startedAtMs: row.attempt_started_at_ms ?? row.updated_at_ms,
        finishedAtMs: done ? row.finished_at_ms : null,
        outcome: done ? 'completed' : 'running',
        error: null,
        httpStatus: done ? row.http_status : null,
      });
    }
    return { ...toJob(row), attempts };
  }

  return {
    enqueue: (input) => enqueueMany([input])[0]!,
    enqueueMany,
    claim,
    complete,
    completeMany,
    completeAndClaim,
    fail,
    returnJob,
    extendLease,
    recoverExpired: () => {
      const now = clock.now();
      return write(() => claimer.recoverExpired(now));
    },
    ...admin,
    get,
    nextDueAtMs: () => (nextDue.get() as number | null) ?? null,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
