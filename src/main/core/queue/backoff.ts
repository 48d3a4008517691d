/**
 * Retry policy as data (stored with each job) and the rules that decide, from an error, whether
 * and when to try again. Modelled on BullMQ's backoffs and its UnrecoverableError.
 */
import { AppError } from '../../../shared/result';

/**
 * How long to wait before the next attempt.
 * - fixed: always `delayMs`.
 * - exponential: `delayMs * 2^(attempt-1)` (1 s, 2 s, 4 s… for delayMs 1000), capped at `maxDelayMs`.
 * `jitter` (0–1, default 0) spreads each delay uniformly over ±jitter of itself, so many jobs that
 * failed together do not retry together.
 */
export type BackoffPolicy =
  | { type: 'fixed'; delayMs: number; jitter?: number }
  | { type: 'exponential'; delayMs: number; maxDelayMs?: number; jitter?: number };

/** Exponential from 1 s, doubling, ±20 % jitter, at most 10 min between attempts. */
export const DEFAULT_BACKOFF: BackoffPolicy = { type: 'exponential', delayMs: 1_000, maxDelayMs: 600_000, jitter: 0.2 };
export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_DELAY_MS = 7 * 24 * 3_600_000;
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** Checks a policy from a caller or the database; returns a reason, or null when valid. */
export function backoffProblem(policy: unknown): string | null {
  if (typeof policy !== 'object' || policy === null) return 'backoff must be an object';
  const p = policy as Record<string, unknown>;
  if (p.type !== 'fixed' && p.type !== 'exponential') return 'backoff.type must be "fixed" or "exponential"';
  const isMs = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_DELAY_MS;
  if (!isMs(p.delayMs)) return 'backoff.delayMs must be a whole number of milliseconds, 0 to 7 days';
  if (p.maxDelayMs !== undefined && !isMs(p.maxDelayMs)) return 'backoff.maxDelayMs must be 0 to 7 days in ms';
  if (p.jitter !== undefined && !(typeof p.jitter === 'number' && p.jitter >= 0 && p.jitter <= 1)) {
    return 'backoff.jitter must be between 0 and 1';
  }
  return null;
}

/**
 * Delay before the attempt after `attemptsMade` attempts (1 → the wait after the first failure).
 * `random` returns [0, 1) and is injected so tests are exact.
 */
export function backoffDelayMs(policy: BackoffPolicy, attemptsMade: number, random: () => number): number {
  let delay = policy.delayMs;
  if (policy.type === 'exponential') {
    delay = policy.delayMs * 2 ** Math.max(0, attemptsMade - 1);
    delay = Math.min(delay, policy.maxDelayMs ?? MAX_DELAY_MS);
  }
  const jitter = policy.jitter ?? 0;
  if (jitter > 0) delay = delay * (1 + jitter * (2 * random() - 1));
  return Math.max(0, Math.round(Math.min(delay, MAX_DELAY_MS)));
}

/**
 * An error a job handler throws to say what kind of failure it was. Plain errors are retryable;
 * anything named `UnrecoverableError` (BullMQ's convention) is not.
 */
export class JobFailure extends Error {
  readonly unrecoverable: boolean;
  /** The server asked to wait this long (429 Retry-After), milliseconds. */
  readonly retryAfterMs: number | undefined;
  readonly httpStatus: number | undefined;

  constructor(message: string, options: { unrecoverable?: boolean; retryAfterMs?: number; httpStatus?: number } = {}) {
    super(message);
    this.name = options.unrecoverable ? 'UnrecoverableError' : 'JobFailure';
    this.unrecoverable = options.unrecoverable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.httpStatus = options.httpStatus;
  }
}

/**
 * Thrown by a handler that already recorded its job's outcome itself (fail or returnJob under its
 * lease, in one transaction with its own rows): the worker then records nothing more.
 */
export class JobSettled extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'JobSettled';
  }
}

/** 4xx means "this request will never work as sent", except 408 (timeout) and 429 (slow down). */
export function isUnrecoverableStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Retry-After as delta-seconds or an HTTP date; milliseconds from `nowMs`, or undefined if unusable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The failure for an HTTP answer that was not a success (what the dispatcher throws). */
export function httpFailure(status: number, retryAfter: string | null | undefined, nowMs: number): JobFailure {
  const asked = status === 429 ? parseRetryAfter(retryAfter, nowMs) : undefined;
  // A server asking for days would park the job beyond any operator's notice: cap at one day.
  const retryAfterMs = asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_MS);
  const unrecoverable = isUnrecoverableStatus(status);
  const what = unrecoverable
    ? `n8n refused the request with HTTP ${status}; retrying will not help until the mapping or workflow is fixed.`
    : status === 429
      ? `n8n is rate limiting (HTTP 429); retrying ${retryAfterMs !== undefined ? `after ${Math.ceil(retryAfterMs / 1000)} s` : 'with backoff'}.`
      : `n8n answered HTTP ${status}; retrying with backoff.`;
  return new JobFailure(what, {
    unrecoverable,
    httpStatus: status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** What the store needs to know about a thrown error. */
export interface FailureFacts {
  error: string;
  unrecoverable: boolean;
  retryAfterMs?: number;
  httpStatus?: number;
}

/** Reads the kind of failure from anything a handler threw. */
export function classifyFailure(thrown: unknown): FailureFacts {
  if (!(thrown instanceof Error)) return { error: String(thrown), unrecoverable: false };
  const facts: FailureFacts = {
    error: thrown.message || thrown.name,
    unrecoverable: thrown.name === 'UnrecoverableError',
  };
  if (thrown instanceof JobFailure) {
    facts.unrecoverable = thrown.unrecoverable;
    if (thrown.retryAfterMs !== undefined) facts.retryAfterMs = thrown.retryAfterMs;
    if (thrown.httpStatus !== undefined) facts.httpStatus = thrown.httpStatus;
  } else if (thrown instanceof AppError) {
    // A validation or not-found problem in the job itself will fail the same way every time.
    facts.unrecoverable = !thrown.retryable && (thrown.code === 'VALIDATION' || thrown.code === 'NOT_FOUND');
  }
  return facts;
}
