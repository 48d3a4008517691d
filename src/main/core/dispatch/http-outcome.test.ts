import { describe, expect, it } from 'vitest';
import { classifyNetworkError, classifyResponse, describeNetworkError, startingUpReason } from './http-outcome';

const url = 'http://n8n.test/webhook/orders';
const answer = (status: number, body = '{}', contentType = 'application/json') =>
  classifyResponse({ status, body, contentType, url });

describe('failure classes of webhook answers', () => {
  it('takes 2xx, holds on an n8n still starting, and never counts those', () => {
    expect(answer(200)).toBeNull();
    expect(answer(200, 'n8n is starting up. Please wait', 'text/html')).toMatchObject({ kind: 'unreachable' });
    expect(answer(404, '<pre>Cannot POST /webhook/orders</pre>', 'text/html')).toMatchObject({
      kind: 'unreachable',
      holdReason: expect.stringMatching(/starting up/),
    });
    expect(answer(503, '{"code":503,"message":"Database is not ready!"}')).toMatchObject({ kind: 'unreachable' });
    expect(startingUpReason(404, 'application/json', '{"message":"not registered"}')).toBeNull();
  });

  it('separates "not taken", "the workflow ran and failed" and "cannot succeed"', () => {
    expect(answer(500, '{"message":"Error in workflow"}')).toMatchObject({
      kind: 'workflow_failed',
      message: expect.stringMatching(/ran in n8n and failed \(500\): "Error in workflow"/),
    });
    expect(answer(500, '{"code":0,"message":"aborted"}')).toMatchObject({ kind: 'unreachable', uncertain: true });
    // n8n 2.41.1 around its start and stop: it could not run the workflow (not the workflow's failure).
    expect(answer(500, '{"code":0,"message":"There was a problem executing the workflow"}')).toMatchObject({
      kind: 'not_taken',
      uncertain: true,
      aroundRestart: true,
    });
    expect(answer(500, '{"message":"Error in workflow"}')?.aroundRestart).toBeUndefined();
    for (const status of [408, 429, 502, 503, 504]) expect(answer(status)?.kind, String(status)).toBe('not_taken');
    expect(answer(502)?.uncertain).toBe(true);
    expect(answer(503)?.uncertain).toBe(false);
    for (const status of [400, 401, 403, 404, 405, 410, 413, 422])
      expect(answer(status)?.kind, String(status)).toBe('cannot_succeed');
    expect(
      classifyResponse({
        status: 404,
        body: '{}',
        contentType: 'application/json',
        url,
        webhookGrace: 'just published',
      }),
    ).toMatchObject({ kind: 'not_taken', message: expect.stringMatching(/just published/) });
    expect(classifyResponse({ status: 429, body: '', contentType: '', url, retryAfterMs: 7_000 })).toMatchObject({
      retryAfterMs: 7_000,
      message: expect.stringMatching(/wait 7 s/),
    });
  });

  it('never says what happens next (the dispatcher adds it)', () => {
    for (const status of [404, 408, 429, 500, 502, 503, 422])
      expect(answer(status)?.message, String(status)).not.toMatch(/retrying/i);
  });

  it('classifies network failures: unreachable (maybe delivered when the connection broke), or no answer', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyNetworkError(err('ECONNREFUSED'), url, 30_000)).toMatchObject({
      kind: 'unreachable',
      uncertain: false,
      holdReason: 'connection refused (ECONNREFUSED)',
    });
    expect(classifyNetworkError(err('UND_ERR_SOCKET'), url, 30_000)).toMatchObject({
      kind: 'unreachable',
      uncertain: true,
    });
    expect(classifyNetworkError(err('UND_ERR_HEADERS_TIMEOUT'), url, 30_000)).toMatchObject({
      kind: 'no_answer',
      uncertain: true,
      message: expect.stringMatching(/within 30 s/),
    });
    // The worker's own timeout aborts with a plain Error: still "no answer", maybe delivered.
    expect(classifyNetworkError(new Error('Timed out after 30000 ms.'), url, 30_000, true)).toMatchObject({
      kind: 'no_answer',
      uncertain: true,
    });
    expect(describeNetworkError(err('CERT_HAS_EXPIRED'))).toBe('TLS failed (CERT_HAS_EXPIRED)');
    expect(describeNetworkError({ cause: { code: 'ENOTFOUND' } })).toBe('host not found (ENOTFOUND)');
  });
});
