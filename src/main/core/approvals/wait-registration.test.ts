import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock';
import { createCore } from '../create-core';
import { loadOrCreateIngestSecret } from '../ingest/ingest-secret';
import { sign } from '../ingest/signature';
import { silentLogger } from '../logger';
import { tempDir } from '../testing/test-core';

// POST /approvals through the real door and the console's own ports: the instance is named by id
// (or by an address that fits exactly one instance), and its resume URLs are accepted however
// n8n spells its host.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function consoleWith(instances: { name: string; baseUrl: string; publicWebhookUrl?: string }[]) {
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock, metrics: { pollMs: 0 }, ingestPort: 0 });
  cleanups.push(
    () => dir.remove(),
    () => core.close(),
  );
  const ids: Record<string, string> = {};
  for (const i of instances) {
    const added = await core.call('instances:add', {
      ...i,
      apiKey: 'not-a-real-key-0001',
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    });
    if (!added.ok) throw new Error(added.error.message);
    ids[i.name] = added.data.id;
  }
  const info = await core.call('ingest:info', {});
  if (!info.ok || !info.data.url) throw new Error('ingest door is off');
  const url = info.data.url;
  const secret = loadOrCreateIngestSecret(dir.path, silentLogger);
  const register = async (body: Record<string, unknown>) => {
    const raw = JSON.stringify({ summary: 'Refund 40 EUR', ...body });
    const t = Date.now();
    const res = await fetch(`${url}/approvals`, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-flightdeck-timestamp': String(t),
        'x-flightdeck-signature': sign(secret, t, raw),
      },
    });
    return { status: res.status, body: (await res.json()) as { id?: number; error?: { message: string } } };
  };
  const item = async (id: number) => {
    const r = await core.call('approvals:get', { id });
    if (!r.ok) throw new Error(r.error.message);
    return r.data.item;
  };
  return { ids, register, item };
}

describe('POST /approvals: which instance, which resume URLs', () => {
  it("accepts n8n's localhost resume URL for an instance saved as 127.0.0.1", async () => {
    const c = await consoleWith([{ name: 'local', baseUrl: 'http://127.0.0.1:5678' }]);
    const res = await c.register({
      instanceId: c.ids.local,
      executionId: '81',
      resumeUrl: 'http://localhost:5678/webhook-waiting/81',
    });
    expect(res.status).toBe(201);
    expect(await c.item(res.body.id!)).toMatchObject({ instanceId: c.ids.local, remoteExecutionId: '81' });
  });

  it('tells two instances behind one proxy apart by id, or by their full address', async () => {
    const c = await consoleWith([
      { name: 'a', baseUrl: 'https://proxy.example/n8n-a' },
      { name: 'b', baseUrl: 'https://proxy.example/n8n-b' },
    ]);
    const byId = await c.register({
      instanceId: c.ids.b,
      executionId: '5',
      resumeUrl: 'https://proxy.example/n8n-b/webhook-waiting/5',
    });
    expect(await c.item(byId.body.id!)).toMatchObject({ instanceId: c.ids.b });
    const byUrl = await c.register({
      instanceUrl: 'https://proxy.example/n8n-a',
      executionId: '5',
      resumeUrl: 'https://proxy.example/n8n-a/webhook-waiting/5',
    });
    expect(await c.item(byUrl.body.id!)).toMatchObject({ instanceId: c.ids.a });
    // b's execution 5 on a's address: refused.
    expect(
      await c.register({
        instanceId: c.ids.b,
        executionId: '6',
        resumeUrl: 'https://proxy.example/n8n-a/webhook-waiting/6',
      }),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/own address/) } } });
    // The proxy's origin alone names neither.
    expect(
      await c.register({
        instanceUrl: 'https://proxy.example',
        executionId: '7',
        resumeUrl: 'https://proxy.example/n8n-a/webhook-waiting/7',
      }),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/Unknown n8n instance/) } } });
  });

  it('refuses an address that fits two instances: the workflow must send instanceId', async () => {
    const c = await consoleWith([
      { name: 'one', baseUrl: 'http://127.0.0.1:5678' },
      { name: 'two', baseUrl: 'http://localhost:5678' },
    ]);
    expect(
      await c.register({
        instanceUrl: 'http://127.0.0.1:5678',
        executionId: '9',
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/9',
      }),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/send instanceId/) } } });
    const byId = await c.register({
      instanceId: c.ids.two,
      executionId: '9',
      resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/9',
    });
    expect(byId.status).toBe(201);
  });

  it("accepts resume URLs on the instance's public webhook URL (n8n's WEBHOOK_URL)", async () => {
    const c = await consoleWith([
      { name: 'prod', baseUrl: 'http://10.0.0.5:5678', publicWebhookUrl: 'https://hooks.example.com' },
    ]);
    const ok = await c.register({
      instanceId: c.ids.prod,
      executionId: '12',
      resumeUrl: 'https://hooks.example.com/webhook-waiting/12?signature=abc',
    });
    expect(ok.status).toBe(201);
    expect(
      await c.register({
        instanceId: c.ids.prod,
        executionId: '13',
        resumeUrl: 'https://elsewhere.example.com/webhook-waiting/13',
      }),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/public webhook URL/) } } });
  });

  it('refuses a resume URL that does not name the execution', async () => {
    const c = await consoleWith([{ name: 'local', baseUrl: 'http://127.0.0.1:5678' }]);
    expect(
      await c.register({
        instanceId: c.ids.local,
        executionId: '14',
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/15',
      }),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/name execution 14/) } } });
  });
});
