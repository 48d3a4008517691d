import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { sign } from '../../src/main/core/ingest/signature';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../../src/main/core/testing/test-core';
import {
  callHost as callConsole,
  launchChromium,
  openConsole,
  startConsole,
  type ConsoleProcess,
} from '../e2e/console';
import { api, createWebhookWorkflow, startN8n, type N8nInstance } from './harness';
import { data, sawLast, until } from './support';

// The dispatch pipeline against a real n8n: events in through the signed HTTP door, runs out
// to real webhooks, linked to the n8n executions they started; n8n down and back loses nothing.
let n8n: N8nInstance;
let okWorkflow: string;

beforeAll(async () => {
  n8n = await startN8n();
  okWorkflow = await createWebhookWorkflow(n8n, { path: 'fd-ok', name: 'Dispatch OK' });
});
afterAll(async () => {
  await n8n?.dispose();
});

async function consoleFor(core: Core, retry = { attempts: 1 }) {
  const instance = await data(
    core.call('instances:add', {
      name: 'live',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'test',
      color: '#2f6fed',
    }),
  );
  await data(
    core.call('mappings:create', {
      mapping: { event: 'order.created', instanceId: instance.id, webhookPath: 'fd-ok', retry },
    }),
  );
  return instance.id;
}

const runs = async (core: Core) =>
  (await data(core.call('executions:list', { source: 'local', limit: 500 }))).executions;

describe('dispatch against a real n8n', () => {
  it('takes signed HTTP events, dispatches them and links each run to its n8n execution', async () => {
    const dir = tempDir();
    const core = createCore({ dataDir: dir.path, clock: systemClock, ingestPort: 0, linker: { intervalMs: 300 } });
    try {
      const instanceId = await consoleFor(core);
      const { url } = await data(core.call('ingest:info', {}));
      const secret = loadOrCreateIngestSecret(dir.path, silentLogger);
      for (let i = 0; i < 3; i++) {
        const body = JSON.stringify({ orderId: i });
        const t = Date.now();
        const res = await fetch(`${url}/events/order.created`, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-flightdeck-timestamp': String(t),
            'x-flightdeck-signature': sign(secret, t, body),
          },
        });
        expect(res.status).toBe(202);
      }
      const linked = await until('three linked runs', async () => {
        const list = await runs(core);
        sawLast(list);
        return list.length === 3 && list.every((r) => r.remoteId && r.status === 'succeeded') ? list : undefined;
      });
      for (const run of linked) {
        const remote = await api<{ id: string; workflowId: string; status: string }>(
          n8n,
          'GET',
          `/executions/${run.remoteId}`,
        );
        expect(remote).toMatchObject({ workflowId: okWorkflow, status: 'success' });
        expect(run.workflowId).toBe(okWorkflow);
      }
      // A sync pass afterwards must not add second rows for the linked executions.
      await data(core.call('instances:syncNow', { id: instanceId }));
      const all = (await data(core.call('executions:list', { limit: 500 }))).executions;
      const remoteIds = all.map((e) => e.remoteId).filter(Boolean);
      expect(new Set(remoteIds).size).toBe(remoteIds.length);
      for (const run of linked) expect(all.filter((e) => e.remoteId === run.remoteId)).toHaveLength(1);
    } finally {
      await core.close();
      dir.remove();
    }
  });

  it('holds runs while n8n is down, spending no attempt, and delivers each once when it is back', async () => {
    const dir = tempDir();
    const core = createCore({ dataDir: dir.path, clock: systemClock, linker: { intervalMs: 300 } });
    let down = false;
    try {
      // One attempt only: an outage must not spend it (the run waits on a hold instead).
      const instanceId = await consoleFor(core, { attempts: 1 });
      const before = (await api<{ data: unknown[] }>(n8n, 'GET', `/executions?workflowId=${okWorkflow}&limit=250`)).data
        .length;
      await n8n.stop();
      down = true;
      const ids: number[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(
          ...(await data(core.call('ingest:emit', { event: 'order.created', payload: { down: i } }))).executionIds,
        );
      const held = await until('runs waiting for the instance while n8n is down', async () => {
        const list = (await runs(core)).filter((r) => ids.includes(r.id));
        sawLast(list.map((r) => [r.id, r.status, r.error]));
        return list.length === 5 && list.every((r) => r.status === 'queued' && r.error?.startsWith('Waiting for live'))
          ? list
          : undefined;
      });
      expect(held.every((r) => r.error?.includes('Not counted as an attempt'))).toBe(true);
      const { instances } = await data(core.call('instances:list', {}));
      const health = instances.find((i) => i.id === instanceId)?.health;
      expect(health).toMatchObject({ state: 'down' });
      // n8n answers HTTP before its webhooks are registered again: those answers hold too.
      await n8n.start();
      down = false;
      await until(
        'every run delivered after n8n is back',
        async () => {
          const list = (await runs(core)).filter((r) => ids.includes(r.id));
          sawLast(list.map((r) => [r.id, r.status, r.error]));
          return list.filter((r) => r.status === 'succeeded').length === 5 ? true : undefined;
        },
        240_000,
      );
      expect((await runs(core)).filter((r) => ids.includes(r.id) && r.status === 'dead_lettered')).toEqual([]);
      const after = (await api<{ data: unknown[] }>(n8n, 'GET', `/executions?workflowId=${okWorkflow}&limit=250`)).data
        .length;
      expect(after - before).toBe(5);
    } finally {
      if (down) await n8n.start(); // the next test needs n8n, whatever happened here
      await core.close();
      dir.remove();
    }
  });
});

describe('live stream in the console', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const callHost = <T>(channel: string, input: unknown) => callConsole<T>(app, channel, input);

  it('fires an event from the mapping editor and shows the run going to succeeded', async () => {
    const instance = await callHost<{ id: string }>('instances:add', {
      name: 'live',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await callHost('mappings:create', {
      mapping: { event: 'ui.fired', instanceId: instance.id, webhookPath: 'fd-ok' },
    });

    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-mappings').click();
    await page.getByTestId('mappings-table').getByText('ui.fired').first().click();
    await page.getByTestId('m-sample').fill('{"from": "the console"}');
    await page.getByTestId('m-fire').click();
    await expect.poll(() => page.getByTestId('m-fired').textContent()).toMatch(/Queued as FD-\d+/);

    await page.getByTestId('nav-executions').click();
    const row = page.getByTestId('execution-row').first();
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toMatch(/succeeded/);
    await row.click();
    await expect.poll(() => page.getByTestId('run-attempts').textContent()).toMatch(/#1.*completed.*HTTP 200/s);
  });
});
