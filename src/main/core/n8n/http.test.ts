import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { closedAfter, startHugeAnswerServer, startTrickleServer, type AnswerServer } from '../testing/answer-servers';
import { waitUntil } from '../testing/wait';
import { N8nClient } from './client';
import type { N8nClientOptions } from './http';

const MB = 1024 * 1024;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const using = (server: Promise<AnswerServer>) => closedAfter(cleanups, server);

function client(baseUrl: string, options: Partial<N8nClientOptions> = {}) {
  const c = new N8nClient({ baseUrl, apiKey: 'k', sleep: () => Promise.resolve(), ...options });
  cleanups.push(() => c.destroy());
  return c;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('n8n API answers are read up to a limit', () => {
  it('refuses a streamed answer over the limit clearly, reads no further and does not retry it', async () => {
    const s = await using(startHugeAnswerServer({ totalBytes: 100 * MB, head: '{"data":[' }));
    const error = await failure(client(s.url, { answerLimitBytes: MB }).listWorkflows());
    expect(error.code).toBe('N8N_BAD_RESPONSE');
    expect(error.message).toContain('the workflows list is larger than 1 MiB');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ limitBytes: MB });
    expect(s.requests).toBe(1);
    await waitUntil('the server to see the client leave', () => s.cutShort === 1);
    expect(s.sentBytes).toBeLessThan(32 * MB);
  });

  it('refuses an answer whose Content-Length is over the limit before reading it', async () => {
    const s = await using(startHugeAnswerServer({ totalBytes: 100 * MB, declareLength: true }));
    const error = await failure(client(s.url, { answerLimitBytes: MB }).getWorkflow('wf1'));
    expect(error.code).toBe('N8N_BAD_RESPONSE');
    expect(error.message).toContain('larger than 1 MiB');
    await waitUntil('the server to see the client leave', () => s.cutShort === 1);
    expect(s.sentBytes).toBeLessThan(32 * MB);
  });

  it('cuts an error answer over the limit: its status still says what happened', async () => {
    const s = await using(startHugeAnswerServer({ totalBytes: 4 * MB, status: 502, contentType: 'text/html' }));
    const error = await failure(client(s.url, { answerLimitBytes: MB, retries: 0 }).listWorkflows());
    expect(error.code).toBe('N8N_UNREACHABLE');
    expect(error.message).toContain('(502)');
  });

  it("cuts a webhook door's long answer at 64 KiB and hands back its head with a note", async () => {
    const s = await using(startHugeAnswerServer({ totalBytes: 100 * MB, contentType: 'text/plain' }));
    const answer = await client(s.url).postWebhook('big', { a: 1 });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(expect.stringMatching(/^x+… \(cut at 64 KiB: the answer was longer\)$/));
    await waitUntil('the server to see the client leave', () => s.cutShort === 1);
    expect(s.sentBytes).toBeLessThan(32 * MB);
  });
});

describe('n8n API calls have a total time limit', () => {
  it('ends a trickling answer (a byte a second) at the limit; an idempotent read is retried under the usual rules', async () => {
    const s = await using(startTrickleServer());
    const error = await failure(client(s.url, { totalTimeoutMs: 1_500, retries: 1 }).listWorkflows());
    expect(error.code).toBe('N8N_UNREACHABLE');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ cause: 'TOTAL_TIMEOUT', timeoutMs: 1_500 });
    expect(error.message).toContain('did not finish answering the workflows list within 1.5 s');
    expect(error.message).toContain('Try again later');
    expect(s.requests).toBe(2);
  });

  it('a call that is not safe to send twice is not retried after the limit', async () => {
    const s = await using(startTrickleServer());
    const error = await failure(
      client(s.url, { totalTimeoutMs: 1_000, retries: 2 }).postWebhook('slow', {}, { timeoutMs: 1_000 }),
    );
    expect(error.details).toEqual({ cause: 'TOTAL_TIMEOUT', timeoutMs: 1_000 });
    expect(s.requests).toBe(1);
  });

  it('a readiness probe (CORS preflight) has the same limit, and reads only the head of a long answer', async () => {
    // The answer's status and headers came at once; its endless body is dropped at the limit.
    const trickle = await using(startTrickleServer());
    expect(await client(trickle.url, { totalTimeoutMs: 1_000 }).webhookServed('slow')).toBe(false);
    await waitUntil('the trickle to see the client leave', () => trickle.cutShort === 1);
    const huge = await using(startHugeAnswerServer({ totalBytes: 100 * MB }));
    expect(await client(huge.url).webhookServed('big')).toBe(false);
    await waitUntil('the server to see the client leave', () => huge.cutShort === 1);
    expect(huge.sentBytes).toBeLessThan(32 * MB);
  });
});
