import { afterEach, describe, expect, it } from 'vitest';
import { startIngestServer } from '../ingest/http-ingest';
import { sqliteReplayLedger } from '../ingest/replay-ledger';
import { sign } from '../ingest/signature';
import { silentLogger } from '../logger';
import { approvalsHarness } from '../testing/approvals-kit';

const SECRET = 'approvals-test-secret';
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(withInbox = true) {
  const h = approvalsHarness();
  cleanups.push(h.cleanup, () => h.module.stop());
  const server = await startIngestServer({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    clock: h.clock,
    logger: silentLogger,
    replay: sqliteReplayLedger(h.ctx.store, () => h.clock.now()),
    hasMappings: () => false,
    emit: () => ({ executionIds: [], deduplicated: false }),
    ...(withInbox ? { registerWaiting: (input: unknown) => h.service.registerWaiting(input) } : {}),
  });
  cleanups.push(server.close);
  const post = (body: string, options: { signed?: boolean; contentType?: string; method?: string } = {}) => {
    const t = h.clock.now();
    return fetch(`http://127.0.0.1:${server.port}/approvals`, {
      method: options.method ?? 'POST',
      ...(options.method === 'GET' ? {} : { body }),
      headers: {
        'content-type': options.contentType ?? 'application/json',
        ...(options.signed === false
          ? {}
          : { 'x-flightdeck-signature': sign(SECRET, t, body), 'x-flightdeck-timestamp': String(t) }),
      },
    });
  };
  return { h, post };
}

const registration = JSON.stringify({
  instanceId: 'dev',
  executionId: '42',
  resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/42',
  summary: 'Refund 40 EUR to ana@example.com',
  payload: { amount: 40 },
  priority: 2,
});

describe('POST /approvals', () => {
  it('registers a signed waiting execution (201), and a repeat answers 200 with the same id', async () => {
    const { h, post } = await setup();
    const res = await post(registration);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: number };
    expect(body).toEqual({ ok: true, id: expect.any(Number), status: 'pending', created: true });
    // A retry is a new request (signed anew); the very same signed request again is a replay.
    expect((await post(registration)).status).toBe(409);
    h.clock.advance(1000);
    const again = await post(registration);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, id: body.id, status: 'pending', created: false });
    expect(h.service.count()).toEqual({ pending: 1, high: 1 });
  });

  it.each([
    ['unsigned', registration, { signed: false }, 401, /Sign the request/],
    ['not JSON content', registration, { contentType: 'text/plain' }, 415, /JSON/],
    ['bad JSON', '{oops', {}, 400, /not valid JSON/],
    ['a bad body', JSON.stringify({ instanceId: 'dev', summary: 'x' }), {}, 400, /executionId/],
    ['an unknown instance', registration.replace('"dev"', '"prod"'), {}, 400, /Unknown n8n instance prod/],
  ] as const)('refuses %s and stores nothing', async (_name, body, options, status, message) => {
    const { h, post } = await setup();
    const res = await post(body, options);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(h.service.count().pending).toBe(0);
  });

  it('answers 404 where no inbox is wired, 405 to other methods', async () => {
    expect((await (await setup(false)).post(registration)).status).toBe(404);
    expect((await (await setup()).post('', { method: 'GET' })).status).toBe(405);
  });
});
