import { afterEach, describe, expect, it } from 'vitest';
import type { CallChannel, CallInput, CallOutput } from '../../../shared/contract';
import { systemClock } from '../clock';
import { createCore } from '../create-core';
import { tempDir } from '../testing/test-core';
import { startFakeN8n } from '../testing/fake-n8n';
import { buildWebhookRequest, PREVIEW_EXECUTION_ID, WEBHOOK_USER_AGENT } from './webhook-request';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('the preview is the request', () => {
  it('builds URL, headers and body bytes in one place', () => {
    expect(
      buildWebhookRequest({
        baseUrl: 'https://n8n.example.com/prefix//',
        webhookPath: 'orders/new',
        event: 'order.created',
        executionId: 29,
        body: { b: 'ü', a: [1, 2] },
      }),
    ).toEqual({
      method: 'POST',
      url: 'https://n8n.example.com/prefix/webhook/orders/new',
      headers: {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'x-flightdeck-event': 'order.created',
        'x-flightdeck-execution-id': '29',
      },
      body: { b: 'ü', a: [1, 2] },
      bodyText: '{"b":"ü","a":[1,2]}',
    });
    const preview = buildWebhookRequest({
      baseUrl: 'http://x',
      webhookPath: 'p',
      event: 'e',
      executionId: null,
      body: undefined,
    });
    expect(preview).toMatchObject({ body: null, bodyText: 'null' });
    expect(preview.headers['x-flightdeck-execution-id']).toBe(PREVIEW_EXECUTION_ID);
  });

  it('what the mapping editor previews, the run records and n8n receives are the same bytes', async () => {
    const n8n = await startFakeN8n();
    n8n.addWorkflow('w1', 'Orders', { path: 'orders/new' });
    const dir = tempDir();
    const core = createCore({ dataDir: dir.path, clock: systemClock });
    cleanups.push(dir.remove, n8n.close, () => core.close());
    const call = async <C extends CallChannel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> => {
      const r = await core.call(channel, input);
      if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
      return r.data;
    };
    const instance = await call('instances:add', {
      name: 'prod',
      baseUrl: `${n8n.baseUrl}/`,
      apiKey: n8n.apiKey,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    const mapping = {
      event: 'order.created',
      instanceId: instance.id,
      webhookPath: 'orders/new',
      transform: {
        mode: 'pick' as const,
        fields: [{ from: 'customer.name', to: 'name' }, { from: 'total' }],
        constants: [{ to: 'source', value: 'flightdeck ✈' }],
      },
    };
    await call('mappings:create', { mapping });
    const payload = { customer: { name: 'Zoë "Z" O\'Neil', tier: 'gold' }, total: 12.5, ignored: true };

    const preview = (await call('mappings:preview', { mapping, payload })).request;
    const [id] = (await call('ingest:emit', { event: 'order.created', payload })).executionIds;
    // The run's call (instance health's probe may also knock, at its own path).
    const runCalls = () => n8n.state.doorCalls.filter((r) => r.path === '/webhook/orders/new');
    await expect.poll(() => runCalls().length, { timeout: 10_000 }).toBe(1);
    const received = runCalls()[0]!;
    const recorded = (await call('runs:detail', { id: id! })).request as typeof preview;

    // The run's own request: the preview with its id in the execution-id header, nothing else.
    expect(recorded).toEqual({
      ...preview,
      headers: { ...preview.headers, 'x-flightdeck-execution-id': String(id) },
    });
    // What n8n received, byte for byte.
    expect(`${received.method} ${n8n.baseUrl}${received.path}`).toBe(`${recorded.method} ${recorded.url}`);
    for (const [header, value] of Object.entries(recorded.headers)) expect(received.headers[header]).toBe(value);
    expect(received.raw).toBe(recorded.bodyText);
    expect(JSON.parse(received.raw)).toEqual({ name: 'Zoë "Z" O\'Neil', total: 12.5, source: 'flightdeck ✈' });
    // Flightdeck sets no header the preview does not show (the HTTP client adds Host, Content-Length, Connection).
    const clientOwn = new Set(['host', 'content-length', 'connection']);
    expect(
      Object.keys(received.headers)
        .filter((h) => !clientOwn.has(h))
        .sort(),
    ).toEqual(Object.keys(recorded.headers).sort());
  });
});
