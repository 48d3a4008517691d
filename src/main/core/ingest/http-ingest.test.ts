import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { ManualClock } from '../testing/manual-clock';
import { silentLogger } from '../logger';
import type { EmitRequest } from '../ports';
import { startIngestServer } from './http-ingest';
import { sign } from './signature';

const SECRET = 'ingest-test-secret';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function server(options: { failWith?: AppError } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const emitted: EmitRequest[] = [];
  const ingest = await startIngestServer({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    clock,
    logger: silentLogger,
    hasMappings: (event) => event === 'order.created',
    emit: (request) => {
      if (options.failWith) throw options.failWith;
      emitted.push(request);
      return { executionIds: [1], deduplicated: false };
    },
  });
  closers.push(ingest.close);
  const post = (path: string, body: string, headers: Record<string, string> = {}, signed = true) => {
    const t = clock.now();
    return fetch(`http://127.0.0.1:${ingest.port}${path}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        ...(signed ? { 'x-flightdeck-signature': sign(SECRET, t, body), 'x-flightdeck-timestamp': String(t) } : {}),
        ...headers,
      },
    });
  };
  return { post, emitted, clock };
}

describe('HTTP ingest', () => {
  it('acknowledges a signed event once emitted, with the idempotency key', async () => {
    const { post, emitted } = await server();
    const res = await post('/events/order.created', '{"amount":5}', { 'idempotency-key': 'k1' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ok: true, executionIds: [1], deduplicated: false });
    expect(emitted).toEqual([
      { event: 'order.created', payload: { amount: 5 }, source: 'http', actor: 'http-ingest', idempotencyKey: 'k1' },
    ]);
  });

  it.each([
    ['no signature', () => ({ signed: false, headers: {} }), 401],
    ['a wrong signature', () => ({ signed: true, headers: { 'x-flightdeck-signature': 'sha256=00' } }), 401],
    ['an old timestamp', () => ({ signed: true, headers: { 'x-flightdeck-timestamp': '1000' } }), 401],
    ['not JSON content', () => ({ signed: true, headers: { 'content-type': 'text/plain' } }), 415],
  ])('refuses %s and emits nothing', async (_name, make, status) => {
    const { post, emitted } = await server();
    const { signed, headers } = make();
    const res = await post('/events/order.created', '{"amount":5}', headers, signed);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
    expect(emitted).toEqual([]);
  });

  it('refuses bad JSON, unknown events, bad names and oversized bodies', async () => {
    const { post, emitted } = await server();
    expect((await post('/events/order.created', '{oops')).status).toBe(400);
    const unknown = await post('/events/nobody.listens', '{}');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /No active mapping listens for "nobody.listens"/,
    );
    expect((await post('/events/%20bad', '{}')).status).toBe(400);
    expect((await post('/events/order.created', JSON.stringify({ big: 'x'.repeat(1_100_000) }))).status).toBe(413);
    expect((await post('/elsewhere', '{}')).status).toBe(404);
    expect(emitted).toEqual([]);
  });

  it('answers 503 when the pipeline cannot queue right now, so senders retry', async () => {
    const { post } = await server({ failWith: new AppError('UNAVAILABLE', 'Shutting down', { retryable: true }) });
    expect((await post('/events/order.created', '{}')).status).toBe(503);
  });
});
