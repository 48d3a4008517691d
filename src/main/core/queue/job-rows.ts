/** Row shapes of the queue tables and the checks shared by the SQLite job store's parts. */
import { AppError } from '../../../shared/result';
import type { BackoffPolicy } from './backoff';
import type { Job, JobAttempt, JobState } from './job-store';

/**
 * A job row with its payload, which lives in job_payloads (0020_perf): claims and completions
 * rewrite the jobs row, so the payload stays out of it. `FROM ${JOBS_WITH_PAYLOAD}` reads both.
 */
export const JOBS_WITH_PAYLOAD = `jobs LEFT JOIN job_payloads ON job_payloads.job_id = jobs.id`;
/** Select list for JOBS_WITH_PAYLOAD (a job whose payload row is missing reads as null). */
export const JOB_COLUMNS = `jobs.*, coalesce(job_payloads.payload_json, 'null') AS payload_json`;

export interface JobRow {
  id: number;
  instance_id: string;
  mapping_id: string;
  execution_id: number | null;
  state: JobState;
  priority: number;
  payload_json: string;
  idempotency_key: string | null;
  attempts_made: number;
  attempt_seq: number;
  max_attempts: number;
  backoff_json: string;
  timeout_ms: number | null;
  run_at_ms: number;
  attempt_started_at_ms: number | null;
  lease_token: string | null;
  lease_expires_at_ms: number | null;
  last_error: string | null;
  uncertain: number;
  expired_leases: number;
  result_json: string | null;
  http_status: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  finished_at_ms: number | null;
}

export interface AttemptRow {
  attempt: number;
  started_at_ms: number;
  finished_at_ms: number;
  outcome: JobAttempt['outcome'];
  error: string | null;
  http_status: number | null;
}

export const toJob = (row: JobRow): Job => ({
  id: row.id,
  instanceId: row.instance_id,
  mappingId: row.mapping_id,
  executionId: row.execution_id,
  state: row.state,
  priority: row.priority,
  payload: JSON.parse(row.payload_json) as unknown,
  idempotencyKey: row.idempotency_key,
  attemptsMade: row.attempts_made,
  maxAttempts: row.max_attempts,
  backoff: JSON.parse(row.backoff_json) as BackoffPolicy,
  timeoutMs: row.timeout_ms,
  runAtMs: row.run_at_ms,
  leaseExpiresAtMs: row.lease_expires_at_ms,
  lastError: row.last_error,
  uncertain: row.uncertain === 1,
  result: row.result_json === null ? null : (JSON.parse(row.result_json) as unknown),
  createdAtMs: row.created_at_ms,
  updatedAtMs: row.updated_at_ms,
  finishedAtMs: row.finished_at_ms,
});

export const toAttempt = (row: AttemptRow): JobAttempt => ({
  attempt: row.attempt,
  startedAtMs: row.started_at_ms,
  finishedAtMs: row.finished_at_ms,
  outcome: row.outcome,
  error: row.error,
  httpStatus: row.http_status,
});

export const invalid = (message: string) => new AppError('VALIDATION', message);

export function requireInt(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be a whole number from ${min} to ${max} (got ${String(value)}).`);
  }
  return value;
}

export function requireText(value: unknown, name: string, maxLength = 200): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw invalid(`${name} must be a non-empty string of at most ${maxLength} characters.`);
  }
  return value;
}

/** 1–1000 distinct positive job ids. */
export function requireIds(ids: unknown): number[] {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000) {
    throw invalid('Give 1 to 1000 job ids.');
  }
  for (const id of ids) requireInt(id, 'job id', 1, Number.MAX_SAFE_INTEGER);
  return [...new Set(ids as number[])];
}

/** Whole epoch-ms durations accepted anywhere in the queue: up to 30 days. */
export const MAX_MS = 30 * 24 * 3_600_000;

/** A JSON text, or VALIDATION when the value cannot round-trip through JSON. */
export function toJsonText(value: unknown, name: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw invalid(`${name} must be JSON-serialisable: ${(error as Error).message}`);
  }
  if (text === undefined) throw invalid(`${name} must be JSON-serialisable (got ${typeof value}).`);
  return text;
}
