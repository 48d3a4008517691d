import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from './fake-n8n';
import { addRunWorkflow, setRunMode } from './fake-n8n-runs';
import { describeN8nSpec } from './n8n-spec';

let fake: FakeN8n;
beforeAll(async () => {
  fake = await startFakeN8n();
});
afterAll(() => fake.close());

// The same list of checks runs against a real n8n in tests/n8n/n8n-spec.test.ts.
describeN8nSpec('the loopback fake', () => ({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, version: fake.version }));

describe('the fake n8n’s own switches (beyond n8n, for tests that make it misbehave)', () => {
  it('stop() refuses connections and start() listens again on the same port, state kept', async () => {
    const own = await startFakeN8n();
    try {
      own.addWorkflow('w1', 'Orders', { path: 'orders' });
      const url = own.baseUrl;
      await own.stop();
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      await own.start();
      expect(own.baseUrl).toBe(url);
      expect((await fetch(`${url}/webhook/orders`, { method: 'POST' })).status).toBe(200);
      expect(own.state.executions).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('answers a door from a script, counting calls per path, and records every call', async () => {
    const own = await startFakeN8n();
    try {
      own.state.doorFault = (call, n) =>
        call.path === '/webhook/flaky' && n < 3 ? { status: 503, headers: { 'retry-after': '1' } } : undefined;
      const post = () => fetch(`${own.baseUrl}/webhook/flaky`, { method: 'POST', body: '{"x":1}' });
      expect((await post()).status).toBe(503);
      expect((await post()).headers.get('retry-after')).toBe('1');
      // Past the script, the fake is n8n again: nothing is registered on that path.
      expect((await post()).status).toBe(404);
      expect(own.state.doorCalls.map((c) => c.body)).toEqual([{ x: 1 }, { x: 1 }, { x: 1 }]);
    } finally {
      await own.close();
    }
  });

  it('dropRuns loses a run after acknowledging it (its id used up); finishExecution ends a run kept in memory', async () => {
    const own = await startFakeN8n();
    const get = (path: string) =>
      fetch(`${own.baseUrl}/api/v1${path}`, { headers: { 'X-N8N-API-KEY': own.apiKey } }).then(
        (r) => r.json() as Promise<{ data: { id: string; status: string }[] }>,
      );
    try {
      addRunWorkflow(own, { id: 'lost', name: 'Lost', path: 'lost', mode: 'crash' });
      addRunWorkflow(own, { id: 'busy', name: 'Busy', path: 'busy', mode: 'running' });
      const post = (path: string) =>
        fetch(`${own.baseUrl}/webhook/${path}`, { method: 'POST', body: '{"n": 1}' }).then((r) => r.json());
      expect(await post('lost')).toEqual({ message: 'Workflow was started' });
      expect(await post('busy')).toEqual({ message: 'Workflow was started' });
      expect(own.state.executions.map((e) => [e.id, e.status])).toEqual([['2', 'running']]);
      expect(own.state.doorCalls.map((c) => c.raw)).toEqual(['{"n": 1}', '{"n": 1}']);
      expect((await get('/executions')).data).toEqual([]);
      own.finishExecution('2');
      expect((await get('/executions')).data.map((e) => [e.id, e.status])).toEqual([['2', 'success']]);
      setRunMode(own, 'lost', 'lastNode');
      expect(await post('lost')).toEqual({ received: { n: 1 } });
      expect(own.state.served).toBe(5);
      await expect.poll(() => own.state.inFlight).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('records every request with its headers on arrival, and apiHold holds an API request until released', async () => {
    const own = await startFakeN8n();
    try {
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      own.state.apiHold = (request) => (request.startsWith('GET /api/v1/executions') ? held : undefined);
      const get = (path: string, key = own.apiKey) =>
        fetch(`${own.baseUrl}${path}`, { headers: { 'X-N8N-API-KEY': key } });
      const slow = get('/api/v1/executions?limit=1');
      await expect.poll(() => own.state.received.length).toBe(1);
      expect(own.state.inFlight).toBe(1);
      // Other requests are not held, and a wrong key is recorded as sent.
      expect((await get('/api/v1/workflows', 'wrong-key')).status).toBe(401);
      expect((await fetch(`${own.baseUrl}/healthz`)).status).toBe(200);
      expect(own.state.inFlight).toBe(1);
      release();
      expect((await slow).status).toBe(200);
      expect(own.state.received.map((r) => [r.method, r.url, r.headers['x-n8n-api-key']])).toEqual([
        ['GET', '/api/v1/executions?limit=1', own.apiKey],
        ['GET', '/api/v1/workflows', 'wrong-key'],
        ['GET', '/healthz', undefined],
      ]);
    } finally {
      await own.close();
    }
  });

  it('failWith, garble and failAfterPages break the API on purpose', async () => {
    const own = await startFakeN8n();
    const get = (path: string) => fetch(`${own.baseUrl}${path}`, { headers: { 'X-N8N-API-KEY': own.apiKey } });
    try {
      own.addWorkflow('w1', 'Orders');
      own.addExecutions(3, 'w1');
      own.state.failWith = 503;
      expect((await get('/api/v1/workflows')).status).toBe(503);
      expect((await get('/healthz')).status).toBe(503);
      own.state.failWith = undefined;
      own.state.garble = true;
      expect(await (await get('/api/v1/workflows')).json()).toEqual({ data: [{ id: null }] });
      own.state.garble = false;
      own.state.failAfterPages = 1;
      const first = (await (await get('/api/v1/executions?limit=2')).json()) as { nextCursor: string };
      expect((await get(`/api/v1/executions?limit=2&cursor=${first.nextCursor}`)).status).toBe(503);
    } finally {
      await own.close();
    }
  });
});
