/**
 * Errors travel as data across every transport: throwing across `invoke` keeps only a
 * message, so codes and retryability would be lost.
 */

/** Stable error codes. The renderer and tests key off these; never rename one. */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'UNKNOWN_CHANNEL',
  'UNAUTHORIZED',
  /** Signed in, but the role lacks the permission; the message names the role needed. */
  'FORBIDDEN',
  'STARTUP_FAILED',
  'UNAVAILABLE',
  'INTERNAL',
  /** Too many calls too fast on one connection; retryable, `details.retryAfterMs` says when. */
  'RATE_LIMITED',
  'N8N_UNAUTHORIZED',
  'N8N_FORBIDDEN',
  'N8N_NOT_FOUND',
  'N8N_RATE_LIMITED',
  'N8N_UNREACHABLE',
  'N8N_BAD_RESPONSE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What went wrong, in words an operator can act on. */
export interface AppErrorData {
  code: ErrorCode;
  message: string;
  /** True when the same call may succeed if tried again later (n8n down, rate limited). */
  retryable: boolean;
  /** Optional structured detail, e.g. the failing field paths of a VALIDATION error. */
  details?: unknown;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: AppErrorData };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });

export const fail = (code: ErrorCode, message: string, retryable = false, details?: unknown): Result<never> => ({
  ok: false,
  error: details === undefined ? { code, message, retryable } : { code, message, retryable, details },
});

/** An error that knows its stable code; core code throws it, transports turn it into data. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; details?: unknown } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  toData(): AppErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message, retryable: this.retryable }
      : { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}
