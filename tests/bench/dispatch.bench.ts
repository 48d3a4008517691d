import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { Agent, fetch as undiciFetch } from 'undici';
import { it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { sign } from '../../src/main/core/ingest/signature';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../../src/main/core/testing/test-core';
import { callHost, launchChromium, startConsole } from '../e2e/console';
import { createWebhookWorkflow, startN8n } from '../n8n/harness';
import { percentile, report, throughput } from './report';

const CONCURRENCY = 8;

async function consoleWith(
  baseUrl: string,
  apiKey: string,
  webhookPath: string,
): Promise<{ core: Core; close(): Promise<void> }> {
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock, linker: { intervalMs: 3_600_000 } });
  const ok = async <T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>) => {
    const r = await p;
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.data as T;
  };
  const instance = await ok(
    core.call('instances:add', {
      name: 'bench',
      baseUrl,
      apiKey,
      environment: 'bench',
      color: '#2f6fed',
      syncEnabled: false,
    }),
  );
  await ok(
    core.call('mappings:create', {
      mapping: { event: 'bench.event', instanceId: instance.id, webhookPath, concurrency: CONCURRENCY },
    }),
  );
  return {
    core,
    close: async () => {
      await core.close();
      dir.remove();
    },
  };
}

/** Emits `count` events and waits until every run has succeeded; returns runs per second. */
async function dispatchRate(core: Core, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await core.call('ingest:emit', { event: 'bench.event', payload: { i } });
  for (;;) {
    const r = await core.call('executions:list', { status: ['succeeded'], limit: 500 });
    if (r.ok && r.data.executions.length >= count) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  return count / ((performance.now() - started) / 1000);
}

// (b) What the console adds on the way to a real n8n, against posting straight to the same
// webhook at the same concurrency (n8n itself is the bottleneck at about 50 runs/s here).
it('dispatch overhead against direct webhook posts to the same n8n', async () => {
  const n8n = await startN8n();
  try {
    await createWebhookWorkflow(n8n, { path: 'bench', name: 'Bench' });
    const post = (i: number) =>
      fetch(`${n8n.baseUrl}/webhook/bench`, {
        method: 'POST',
        body: JSON.stringify({ i }),
        headers: { 'content-type': 'application/json' },
      }).then((r) => r.arrayBuffer());
    const N = 300;
    await throughput(30, CONCURRENCY, post); // warm up
    const direct = await throughput(N, CONCURRENCY, post);
    const flightdeck = await consoleWith(n8n.baseUrl, n8n.apiKey, 'bench');
    try {
      const viaConsole = await dispatchRate(flightdeck.core, N);
      report(`Dispatch to a real n8n webhook (${N} runs, ${CONCURRENCY} in flight)`, [
        { name: 'direct POST to the webhook', value: direct, unit: 'runs/s' },
        {
          name: 'through Flightdeck (emit → queue → dispatch)',
          value: viaConsole,
          unit: 'runs/s',
          baseline: { name: 'direct', value: direct },
          goal: '≥ 0.9 (at most 10 % slower)',
        },
      ]);
    } finally {
      await flightdeck.close();
    }
  } finally {
    await n8n.dispose();
  }
});

// (c) Event in (signed HTTP) → its run visible in the Executions list of a real Chromium window,
// at a sustained 50 events/s (one every 20 ms, on a fixed schedule, not "send, then wait").
// BENCH_UI_EVENTS sets how many (default 300: six seconds), BENCH_UI_RATE the rate (50/s).
it('event → visible in the UI at 50 events/s, p95', async () => {
  const EVENTS = Number(process.env.BENCH_UI_EVENTS ?? 300);
  const INTERVAL_MS = 1000 / Number(process.env.BENCH_UI_RATE ?? 50);
  const webhook = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  const [browser, app] = await Promise.all([
    launchChromium(),
    startConsole({ env: { FLIGHTDECK_CHECK_OUTPUTS: '0' } }),
  ]);
  try {
    const instance = await callHost<{ id: string }>(app, 'instances:add', {
      name: 'local',
      baseUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`,
      apiKey: 'bench-key-123456',
      environment: 'bench',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await callHost(app, 'mappings:create', {
      mapping: { event: 'ui.latency', instanceId: instance.id, webhookPath: 'x' },
    });
    const { url } = await callHost<{ url: string }>(app, 'ingest:info', {});
    const secret = loadOrCreateIngestSecret(app.dataDir, silentLogger);

    const page = await browser.newPage();
    // When each run's first executions:changed reached the page: from there on it is the list's
    // own latency (the push or re-query, and the render), apart from ingest and dispatch.
    await page.addInitScript(() => {
      const frameAt: Record<string, number> = {};
      (window as unknown as { frameAt: typeof frameAt }).frameAt = frameAt;
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(...args: ConstructorParameters<typeof WebSocket>) {
          super(...args);
          this.addEventListener('message', (e: MessageEvent) => {
            const at = Date.now();
            if (typeof e.data !== 'string' || !e.data.includes('"executions:changed"')) return;
            for (const id of /"ids":\[([\d,]*)\]/.exec(e.data)?.[1]?.split(',') ?? [])
              if (id && !(id in frameAt)) frameAt[id] = at;
          });
        }
      };
    });
    await page.goto(app.url);
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId('nav-executions').click();
    await page.getByRole('heading', { name: 'No executions yet' }).waitFor(); // the list has loaded
    // Record when each run first appears in the list (its row's data-row-id), in the page's own
    // clock (epoch ms, the same machine clock as the sender's).
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const now = Date.now();
        for (const row of Array.from(document.querySelectorAll('[data-testid="execution-row"]'))) {
          const id = row.getAttribute('data-row-id');
          if (id && !(id in seen)) seen[id] = now;
        }
      }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-row-id'] });
    });

    const sent: Record<string, number> = {};
    /** When the door answered (after the commit): what follows is the push and the list's part. */
    const acked: Record<string, number> = {};
    // Keep-alive connections, a few at once, as a real sender: the door allows 64.
    const sender = new Agent({ connections: 8 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: EVENTS }, async (_, i) => {
        const due = started + i * INTERVAL_MS;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        const body = JSON.stringify({ i });
        const t = Date.now();
        const res = await undiciFetch(`${url}/events/ui.latency`, {
          dispatcher: sender,
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-flightdeck-timestamp': String(t),
            'x-flightdeck-signature': sign(secret, t, body),
          },
        });
        const { executionIds } = (await res.json()) as { executionIds: number[] };
        sent[String(executionIds[0])] = t;
        acked[String(executionIds[0])] = Date.now();
      }),
    );
    const rate = EVENTS / ((Date.now() - started) / 1000);
    await sender.close();
    await new Promise((r) => setTimeout(r, 1000));
    const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen);
    const frameAt = await page.evaluate(() => (window as unknown as { frameAt: Record<string, number> }).frameAt);
    const inList = Object.entries(frameAt).flatMap(([id, t]) => (seen[id] ? [seen[id] - t] : []));
    const latencies = Object.entries(sent).flatMap(([id, t]) => (seen[id] ? [seen[id] - t] : []));
    // Negative when the row showed before the HTTP answer reached the sender.
    const afterAck = Object.entries(acked).flatMap(([id, t]) => (seen[id] ? [seen[id] - t] : []));
    report(`Event → visible in the Executions list (${EVENTS} signed HTTP events at ${rate.toFixed(0)}/s, Chromium)`, [
      { name: 'events seen in the list', value: latencies.length, unit: `of ${Object.keys(sent).length}` },
      { name: 'latency p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'latency p95 (goal < 20 ms)', value: percentile(latencies, 95), unit: 'ms' },
      { name: 'latency max', value: Math.max(...latencies), unit: 'ms' },
      { name: 'answered → visible p50 (push + render)', value: percentile(afterAck, 50), unit: 'ms' },
      { name: 'answered → visible p95', value: percentile(afterAck, 95), unit: 'ms' },
      { name: "the list's part: event in the page → row, p50", value: percentile(inList, 50), unit: 'ms' },
      { name: "the list's part, p95", value: percentile(inList, 95), unit: 'ms' },
      { name: 'machine load (1 min)', value: loadavg()[0] ?? NaN, unit: `on ${cpus().length} cores` },
    ]);
  } finally {
    await browser.close();
    await app.stop();
    await new Promise((r) => webhook.close(r));
  }
});
