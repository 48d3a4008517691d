import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { N8nClient, peekPage } from './client';
import { startFakeN8n } from '../testing/fake-n8n';

const BASE = 'http://n8n.test:5678';
const agents: MockAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

function setup(options: { retries?: number; maxRetryAfterMs?: number } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const sleeps: number[] = [];
  const client = new N8nClient({
    baseUrl: BASE,
    apiKey: 'secret-key-1234',
    dispatcher: agent,
    sleep: async (ms) => void sleeps.push(ms),
    now: () => 0,
    ...options,
  });
  return { pool: agent.get(BASE), client, sleeps, agent };
}

const exec = (id: number, status = 'success') => ({
  id: String(id),
  finished: true,
  mode: 'webhook',
  retryOf: null,
  status,
  startedAt: '2026-01-01T00:00:00.000Z',
  stoppedAt: '2026-01-01T00:00:01.000Z',
  workflowId: 'wf1',
  waitTill: null,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

describe('N8nClient', () => {
  it('sends the key as a header and validates a page of executions', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: '/api/v1/executions?limit=2', method: 'GET', headers: { 'x-n8n-api-key': 'secret-key-1234' } })
      .reply(200, { data: [exec(2), { ...exec(1), retryOf: 7 }], nextCursor: 'abc' });
    const page = await client.listExecutions({ limit: 2 });
    expect(page.nextCursor).toBe('abc');
    expect(page.data.map((e) => e.id)).toEqual(['2', '1']);
    expect(page.data[1]?.retryOf).toBe('7');
    expect(page.data[0]?.startedAt).toBe(Date.UTC(2026, 0, 1));
  });

  it('follows cursors across pages', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/api/v1/workflows?limit=250', method: 'GET' }).reply(200, {
      data: [{ id: 'a', name: 'A', active: true, nodes: [] }],
      nextCursor: 'c2',
    });
    pool.intercept({ path: '/api/v1/workflows?limit=250&cursor=c2', method: 'GET' }).reply(200, {
      data: [{ id: 'b', name: 'B', active: false, nodes: [], tags: [{ id: 't', name: 'ops' }] }],
      nextCursor: null,
    });
    const all = await client.listAllWorkflows();
    expect(all.map((w) => w.id)).toEqual(['a', 'b']);
    expect(all[1]?.tags?.[0]?.name).toBe('ops');
  });

  it('keeps a path prefix of the base URL', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agents.push(agent);
    agent.get(BASE).intercept({ path: '/n8n/api/v1/tags', method: 'GET' }).reply(200, { data: [], nextCursor: null });
    const client = new N8nClient({ baseUrl: `${BASE}/n8n/`, apiKey: 'k'.repeat(10), dispatcher: agent });
    expect(await client.listTags()).toEqual({ data: [], nextCursor: null });
  });

  it.each([
    [401, 'N8N_UNAUTHORIZED', false],
    [403, 'N8N_FORBIDDEN', false],
    [404, 'N8N_NOT_FOUND', false],
    [409, 'CONFLICT', false],
    [400, 'VALIDATION', false],
    [418, 'N8N_BAD_RESPONSE', false],
  ] as const)('maps %i to %s', async (status, code, retryable) => {
    const { pool, client } = setup({ retries: 0 });
    pool.intercept({ path: '/api/v1/workflows/x', method: 'GET' }).reply(status, { message: 'nope' });
    const error = await client.getWorkflow('x').catch((e: AppError) => e);
    expect(error).toMatchObject({ code, retryable });
    expect((error as AppError).message).not.toContain('secret-key');
  });

  it('maps connection refused and timeouts to N8N_UNREACHABLE', async () => {
    const { pool, client } = setup({ retries: 0 });
    pool
      .intercept({ path: '/api/v1/workflows/x', method: 'GET' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const refused = await client.getWorkflow('x').catch((e: AppError) => e);
    expect(refused).toMatchObject({ code: 'N8N_UNREACHABLE', retryable: true });
    expect((refused as AppError).message).toContain('nothing is listening');
    pool
      .intercept({ path: '/api/v1/workflows/x', method: 'GET' })
      .replyWithError(Object.assign(new Error('cert'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
    expect(((await client.getWorkflow('x').catch((e: unknown) => e)) as AppError).message).toContain('TLS');
  });

  it('retries idempotent reads after a 5xx with backoff, and succeeds', async () => {
    const { pool, client, sleeps } = setup();
    pool.intercept({ path: '/api/v1/workflows/x', method: 'GET' }).reply(503, 'down');
    pool.intercept({ path: '/api/v1/workflows/x', method: 'GET' }).reply(502, 'down');
    pool
      .intercept({ path: '/api/v1/workflows/x', method: 'GET' })
      .reply(200, { id: 'x', name: 'X', active: false, nodes: [] });
    expect((await client.getWorkflow('x')).name).toBe('X');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
  });

  it('gives up after the configured retries', async () => {
    const { pool, client, sleeps } = setup({ retries: 1 });
    pool.intercept({ path: '/api/v1/workflows/x', method: 'GET' }).reply(500, '').times(2);
    expect(await codeOf(client.getWorkflow('x'))).toBe('N8N_UNREACHABLE');
    expect(sleeps).toHaveLength(1);
  });

  it('never retries a non-idempotent call (webhook, retry, create)', async () => {
    const { pool, client, sleeps } = setup();
    pool.intercept({ path: '/api/v1/executions/5/retry', method: 'POST' }).reply(503, '');
    expect(await codeOf(client.retryExecution('5'))).toBe('N8N_UNREACHABLE');
    pool.intercept({ path: '/api/v1/workflows', method: 'POST' }).reply(429, '', { headers: { 'retry-after': '1' } });
    expect(await codeOf(client.createWorkflow({ name: 'x' }))).toBe('N8N_RATE_LIMITED');
    expect(sleeps).toEqual([]);
  });

  it('honours Retry-After on 429 for reads, and fails when it is too long', async () => {
    const { pool, client, sleeps } = setup({ maxRetryAfterMs: 5_000 });
    pool.intercept({ path: '/api/v1/tags', method: 'GET' }).reply(429, '', { headers: { 'retry-after': '3' } });
    pool.intercept({ path: '/api/v1/tags', method: 'GET' }).reply(200, { data: [], nextCursor: null });
    await client.listTags();
    expect(sleeps).toEqual([3_000]);

    pool.intercept({ path: '/api/v1/tags', method: 'GET' }).reply(429, '', { headers: { 'retry-after': '60' } });
    const error = await client.listTags().catch((e: AppError) => e);
    expect(error).toMatchObject({ code: 'N8N_RATE_LIMITED', retryable: true, details: { retryAfterMs: 60_000 } });
  });

  it('turns malformed answers into N8N_BAD_RESPONSE, never a crash', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/api/v1/executions', method: 'GET' }).reply(200, '<html>proxy login</html>');
    expect(await codeOf(client.listExecutions())).toBe('N8N_BAD_RESPONSE');
    pool.intercept({ path: '/api/v1/executions', method: 'GET' }).reply(200, { data: [{ id: null }] });
    expect(await codeOf(client.listExecutions())).toBe('N8N_BAD_RESPONSE');
    pool.intercept({ path: '/api/v1/executions/1', method: 'GET' }).reply(200, { ...exec(1), startedAt: 'yesterday' });
    expect(await codeOf(client.getExecution('1'))).toBe('N8N_BAD_RESPONSE');
    pool
      .intercept({ path: '/api/v1/workflows/1', method: 'GET' })
      .reply(200, { id: '1', name: 'x', active: 'yes', nodes: [] });
    expect(await codeOf(client.getWorkflow('1'))).toBe('N8N_BAD_RESPONSE');
  });

  it('asks n8n for an id with a lone surrogate instead of throwing "URI malformed" (found by the fuzz suite)', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/api/v1/workflows/%EF%BF%BD', method: 'GET' }).reply(404, { message: 'Not Found' });
    expect(await codeOf(client.getWorkflow('\uDFFF'))).toBe('N8N_NOT_FOUND');
    pool
      .intercept({ path: '/api/v1/workflows/a%F0%9F%9B%AB%EF%BF%BD/activate', method: 'POST' })
      .reply(404, { message: 'Not Found' });
    expect(await codeOf(client.activateWorkflow('a\uD83D\uDEEB\uD800'))).toBe('N8N_NOT_FOUND');
  });

  it('rejects a page size n8n would refuse before sending', async () => {
    const { client } = setup();
    expect(() => client.listExecutions({ limit: 251 })).toThrow(AppError);
  });

  it("posts to the webhook doors without the key and returns n8n's answer", async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: '/webhook/orders', method: 'POST', body: '{"id":1}' })
      .reply(200, (opts) => ({ key: (opts.headers as Record<string, string>)['x-n8n-api-key'] ?? null }));
    expect(await client.postWebhook('orders', { id: 1 })).toEqual({ status: 200, body: { key: null } });
    pool.intercept({ path: '/webhook-waiting/42', method: 'POST' }).reply(409, 'finished');
    expect(await client.resumeWaiting('42', {})).toEqual({ status: 409, body: 'finished' });
  });

  it.each([
    ['the same cursor again and again', (_n: number) => 'same'],
    ['cursors that go round in a circle', (n: number) => ['a', 'b', 'c'][n % 3] ?? 'a'],
  ])('stops paging a server that hands back %s (a first sync would never end)', async (_name, cursorAt) => {
    const { pool, client } = setup({ retries: 0 });
    let served = 0;
    pool
      .intercept({ path: (path) => path.startsWith('/api/v1/executions?'), method: 'GET' })
      .reply(200, () => ({ data: [exec(9 - (served % 9))], nextCursor: cursorAt(served++) }))
      .persist();
    let pages = 0;
    const paging = (async () => {
      for await (const _page of client.executionPages({ limit: 1 })) if (++pages > 20) return 'endless';
      return 'ended';
    })();
    const error = await paging.then(
      (outcome) => outcome,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'N8N_BAD_RESPONSE',
      message: expect.stringMatching(/cursor it had already given/),
    });
    expect(pages).toBeLessThanOrEqual(3);
  });

  it('plans the next page of a huge answer without overflowing the stack', () => {
    // 300,000 ids: Math.min(...ids) throws RangeError ("Maximum call stack size exceeded").
    const data = Array.from({ length: 300_000 }, (_, i) => ({ id: String(300_000 - i) }));
    expect(peekPage({ data, nextCursor: 'x' })).toEqual({ nextCursor: 'x', minId: 1 });
    expect(peekPage({ data: [{ id: 'a' }, null, { id: 7 }], nextCursor: '' })).toEqual({ nextCursor: null, minId: 7 });
    expect(peekPage('garbage')).toEqual({ nextCursor: null, minId: Infinity });
  });

  it('pages executions with a prefetch, stops at stopAtId, and validates every page', async () => {
    const fake = await startFakeN8n();
    try {
      fake.addExecutions(7, 'wf1');
      const client = new N8nClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retries: 0 });
      const seen: string[][] = [];
      for await (const page of client.executionPages({ limit: 2, stopAtId: 4 })) seen.push(page.data.map((e) => e.id));
      expect(seen).toEqual([
        ['7', '6'],
        ['5', '4'],
      ]);
      expect(fake.state.pagesServed).toBe(2);
      const all: string[] = [];
      for await (const page of client.executionPages({ limit: 3 })) all.push(...page.data.map((e) => e.id));
      expect(all).toEqual(['7', '6', '5', '4', '3', '2', '1']);
      fake.state.garble = true;
      const pages = client.executionPages({ limit: 2 });
      await expect(pages.next()).rejects.toMatchObject({ code: 'N8N_BAD_RESPONSE' });
    } finally {
      await fake.close();
    }
  });
});
