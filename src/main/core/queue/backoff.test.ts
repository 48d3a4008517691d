import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import {
  backoffDelayMs,
  backoffProblem,
  classifyFailure,
  httpFailure,
  isUnrecoverableStatus,
  JobFailure,
  parseRetryAfter,
} from './backoff';

describe('backoff', () => {
  it('waits a fixed delay, or doubles it up to the cap', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs({ type: 'fixed', delayMs: 500 }, n, Math.random))).toEqual([
      500, 500, 500,
    ]);
    const exp = { type: 'exponential', delayMs: 1_000, maxDelayMs: 5_000 } as const;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(exp, n, Math.random))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('spreads delays over ±jitter', () => {
    const policy = { type: 'fixed', delayMs: 1_000, jitter: 0.2 } as const;
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(800);
    expect(backoffDelayMs(policy, 1, () => 0.5)).toBe(1_000);
    expect(backoffDelayMs(policy, 1, () => 0.999_999)).toBe(1_200);
  });

  it('names what is wrong with a bad policy', () => {
    expect(backoffProblem({ type: 'fixed', delayMs: 10 })).toBeNull();
    expect(backoffProblem(null)).toMatch(/object/);
    expect(backoffProblem({ type: 'linear', delayMs: 10 })).toMatch(/type/);
    expect(backoffProblem({ type: 'fixed', delayMs: -1 })).toMatch(/delayMs/);
    expect(backoffProblem({ type: 'exponential', delayMs: 1, jitter: 2 })).toMatch(/jitter/);
  });
});

describe('failures', () => {
  it('treats 4xx as unrecoverable except 408 and 429', () => {
    expect([400, 401, 404, 422, 408, 429, 500, 503].map(isUnrecoverableStatus)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('reads Retry-After as seconds or a date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('turns an HTTP answer into a classified failure', () => {
    expect(classifyFailure(httpFailure(429, '7', 0))).toEqual({
      error: expect.stringMatching(/rate limiting.*7 s/),
      unrecoverable: false,
      retryAfterMs: 7_000,
      httpStatus: 429,
    });
    expect(classifyFailure(httpFailure(404, null, 0))).toMatchObject({ unrecoverable: true, httpStatus: 404 });
    expect(httpFailure(429, String(90 * 24 * 3600), 0).retryAfterMs).toBe(24 * 3_600_000);
    expect(classifyFailure(httpFailure(503, '7', 0))).toMatchObject({ unrecoverable: false, httpStatus: 503 });
    expect(classifyFailure(httpFailure(503, '7', 0)).retryAfterMs).toBeUndefined();
  });

  it('classifies anything a handler throws', () => {
    const named = Object.assign(new Error('bad mapping'), { name: 'UnrecoverableError' });
    expect(classifyFailure(named)).toEqual({ error: 'bad mapping', unrecoverable: true });
    expect(classifyFailure(new Error('socket hang up'))).toEqual({ error: 'socket hang up', unrecoverable: false });
    expect(classifyFailure('text')).toEqual({ error: 'text', unrecoverable: false });
    expect(classifyFailure(new AppError('VALIDATION', 'bad payload')).unrecoverable).toBe(true);
    expect(classifyFailure(new AppError('N8N_UNREACHABLE', 'down', { retryable: true })).unrecoverable).toBe(false);
    expect(classifyFailure(new JobFailure('gone', { unrecoverable: true })).unrecoverable).toBe(true);
  });
});
