import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

/**
 * Run numbers and retry chains as an operator reads them, in Chromium against the built host and
 * the loopback fake n8n. It numbers its executions from 1 like any n8n, so local runs (FD-n) and
 * n8n executions (n8n #n) share numbers: the screen must never mix them up.
 * Screenshots (light and dark) land in $FLIGHTDECK_SCREENSHOTS when that is set.
 */
const SHOTS = process.env.FLIGHTDECK_SCREENSHOTS;

let n8n: FakeN8n;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
/** Webhook paths n8n refuses with a 422 (the request cannot succeed: dead-lettered). */
const refused = new Set(['/webhook/fail']);
const ids: Record<string, number> = {};

type Summary = { id: number; status: string; remoteId: string | null; source: string };
const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
const emit = async (event: string, payload: unknown) =>
  (await call<{ executionIds: number[] }>('ingest:emit', { event, payload })).executionIds[0]!;
const runOf = (id: number) => call<{ execution: Summary }>('executions:get', { id }).then((r) => r.execution);
/** Waits (generously: the machine is shared) until a run has finished; usable in hooks too. */
async function settled(id: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await runOf(id);
    if (['succeeded', 'failed', 'dead_lettered'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const retry = async (input: Record<string, unknown>) =>
  (await call<{ results: { newId: number | null }[] }>('runs:retry', { dryRun: false, ...input })).results[0]!.newId!;

async function shoot(name: string, part?: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await call('settings:update', { patch: { theme } });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? '')).toBe(theme);
    const path = `${SHOTS}/${name}-${theme}.png`;
    if (part) await page.getByTestId(part).screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
  }
  await call('settings:update', { patch: { theme: 'light' } });
}

beforeAll(async () => {
  n8n = await startFakeN8n();
  n8n.state.doorFault = (c) =>
    refused.has(c.path) ? { status: 422, body: { message: 'Unprocessable order' } } : undefined;
  // Workflows whose webhook answers naming the execution it started ({"executionId"}).
  const naming = (path: string) => {
    const body = webhookWorkflow({ path, respond: {} });
    return { nodes: body.nodes, connections: body.connections };
  };
  n8n.addWorkflow('w1', 'Orders', naming('ok'));
  // Three executions started in n8n itself: #1, #2, #3 (#1 failed), just now.
  const at = new Date().toISOString();
  for (const status of ['error', 'success', 'success'])
    n8n.addExecutions(1, 'w1', status, { createdAt: at, startedAt: at, stoppedAt: at });
  app = await startConsole();
  const instance = await call<{ id: string }>('instances:add', {
    name: 'prod',
    baseUrl: n8n.baseUrl,
    apiKey: n8n.apiKey,
    environment: 'prod',
    color: '#2f6fed',
    syncEnabled: false,
  });
  const instanceId = instance.id;
  for (const [name, event, webhookPath] of [
    ['Orders OK', 'order.ok', 'ok'],
    ['Orders failing', 'order.fail', 'fail'],
  ] as const) {
    await call('mappings:create', {
      mapping: { name, event, instanceId, webhookPath, retry: { attempts: 1 } },
    });
  }
  await call('instances:syncNow', { id: instanceId });

  // Local runs: two that n8n refuses (422: dead-lettered), one that n8n runs as its execution #4.
  ids.a = await emit('order.fail', { order: 'A-1', qty: 1 });
  ids.b = await emit('order.fail', { order: 'B-1', qty: 1 });
  ids.ok = await emit('order.ok', { order: 'C-1' });
  for (const id of [ids.a, ids.b, ids.ok]) await settled(id!);
  // A retries: first as is (fails again), then with an edited payload once n8n serves the path.
  ids.a2 = await retry({ ids: [ids.a] });
  await settled(ids.a2);
  n8n.addWorkflow('w2', 'Order failures', naming('fail'));
  refused.clear();
  ids.a3 = await retry({ ids: [ids.a2], payload: { order: 'A-1', qty: 2 } });
  const a3 = await settled(ids.a3);
  if (a3.status !== 'succeeded' || !a3.remoteId) throw new Error(`the edited retry did not run: ${JSON.stringify(a3)}`);
  // n8n's own retry of its execution #1.
  await call('instances:syncNow', { id: instanceId });
  const [synced] = (await call<{ executions: Summary[] }>('executions:list', { search: 'n8n #1' })).executions;
  ids.remote1 = synced!.id;
  ids.remote1Retry = await retry({ ids: [ids.remote1] });

  browser = await launchChromium();
  page = await openConsole(browser, app.url);
  await page.setViewportSize({ width: 1400, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await n8n?.close();
});

describe('one identity per run, and the chain of its retries', () => {
  it('lists local runs as FD-n and n8n executions as n8n #n, never one shared #', async () => {
    await page.getByTestId('nav-executions').click();
    const numbers = page.getByTestId('execution-number');
    await expect.poll(() => numbers.count()).toBe(9);
    const shown = await numbers.allTextContents();
    // Local runs keep their own number once linked, with n8n's beside it.
    const linked = (await runOf(ids.ok!)).remoteId;
    expect(shown).toContain(`FD-${ids.ok} → n8n #${linked}`);
    expect(shown).toContain(`FD-${ids.a}`);
    for (const n of ['1', '2', '3']) expect(shown).toContain(`n8n #${n}`);
    // No number appears twice.
    expect(new Set(shown).size).toBe(shown.length);
    // The superseded original says so in its status.
    const rowA = page.locator(`[data-testid="execution-row"][data-run="FD-${ids.a}"]`);
    expect(await rowA.getByTestId('execution-status-cell').textContent()).toBe(
      `dead lettered · retried as FD-${ids.a2}`,
    );
    const rowRemote = page.locator('[data-testid="execution-row"][data-run="n8n #1 on prod"]');
    expect(await rowRemote.getByTestId('execution-status-cell').textContent()).toMatch(
      /^failed · retried as n8n #\d+$/,
    );
  });

  it('finds a run by either number', async () => {
    const search = page.getByTestId('execution-search');
    const numbers = page.getByTestId('execution-number');
    const linked = (await runOf(ids.ok!)).remoteId;
    await search.fill(`FD-${ids.b}`);
    await expect.poll(() => numbers.allTextContents()).toEqual([`FD-${ids.b}`]);
    await search.fill(`n8n #${linked}`);
    await expect.poll(() => numbers.allTextContents()).toEqual([`FD-${ids.ok} → n8n #${linked}`]);
    await search.fill('n8n #2');
    await expect.poll(() => numbers.allTextContents()).toEqual(['n8n #2']);
    await search.fill('');
    await expect.poll(() => numbers.count()).toBe(9);
  });

  it('shows the chain in the detail, and opens any run of it', async () => {
    await page.locator(`[data-testid="execution-row"][data-run^="FD-${ids.a3} "]`).click();
    const detail = page.getByTestId('execution-detail');
    await expect
      .poll(() => detail.getByTestId('execution-detail-number').textContent())
      .toMatch(new RegExp(`^FD-${ids.a3} → n8n #\\d+ on prod$`));
    expect(await detail.getByTestId('lineage-retry-of').textContent()).toBe(
      `retry with an edited payload of FD-${ids.a2}`,
    );
    const chain = detail.getByTestId('lineage-node');
    await expect.poll(() => chain.count()).toBe(3);
    const lines = await chain.allTextContents();
    expect(lines[0]).toMatch(new RegExp(`^FD-${ids.a} dead lettered · first run`));
    expect(lines[1]).toMatch(new RegExp(`^↳ FD-${ids.a2} dead lettered · retry`));
    expect(lines[2]).toMatch(
      new RegExp(`^↳ FD-${ids.a3} → n8n #\\d+ on prod succeeded · retry with an edited payload \\(payload edited\\)`),
    );
    await shoot('executions-chain');

    await chain.first().getByRole('button').click();
    await expect.poll(() => detail.getByTestId('execution-detail-number').textContent()).toBe(`FD-${ids.a}`);
    expect(await detail.getByTestId('lineage-retried-as').textContent()).toBe(
      `superseded: retried as FD-${ids.a2} (dead lettered)`,
    );

    // n8n's own retry reads the same way.
    await page.locator('[data-testid="execution-row"][data-run="n8n #1 on prod"]').click();
    await expect.poll(() => detail.getByTestId('execution-detail-number').textContent()).toBe('n8n #1 on prod');
    expect(await detail.getByTestId('lineage-retried-as').textContent()).toMatch(
      /^superseded: retried as n8n #\d+ on prod \(succeeded\)$/,
    );
    await page.getByLabel('Close details').click();
  });

  it('bulk retry: the dry run names mappings and workflows and flags runs; the result lists each new run', async () => {
    await page.locator(`[data-testid="execution-row"][data-run="FD-${ids.a}"]`).getByTestId('execution-check').check();
    await page.locator(`[data-testid="execution-row"][data-run="FD-${ids.b}"]`).getByTestId('execution-check').check();
    await page.getByTestId('bulk-retry-selected').click();
    const dialog = page.getByTestId('confirm-dialog');
    await expect
      .poll(() => dialog.getByTestId('bulk-preview-group').allTextContents())
      .toEqual(['2Orders failing → Order failures on prodsent again1 retried already1 payload edited since']);
    const flagged = await dialog.getByTestId('bulk-flagged-run').allTextContents();
    expect(flagged).toEqual([
      `retried alreadypayload edited sinceFD-${ids.a}: already retried as FD-${ids.a2} (dead lettered); its payload was edited in a later retry: this sends the old one.`,
    ]);
    await shoot('bulk-dry-run');
    await dialog.getByTestId('bulk-skip-retried').check();
    await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('Retry 1 run?');
    await dialog.getByTestId('confirm-ok').click();

    const items = page.getByTestId('bulk-result-item');
    await expect.poll(() => items.count()).toBe(2);
    const rows = await items.allTextContents();
    expect(rows[0]).toBe(`FD-${ids.a}skipped · Skipped: already retried as FD-${ids.a2}.—`);
    expect(rows[1]).toMatch(new RegExp(`^FD-${ids.b}queued againFD-\\d+`));
    // The new run's outcome arrives live: n8n serves the path now.
    await expect
      .poll(() => items.nth(1).getByTestId('bulk-result-status').textContent(), { timeout: 15_000 })
      .toBe('succeeded');
    expect(await items.nth(1).getByTestId('bulk-result-new').textContent()).toMatch(/^FD-\d+ → n8n #\d+ on prod$/);
    await shoot('bulk-result');
  });

  it('names runs the same way in the metrics drill-down and the audit log', async () => {
    await page.getByTestId('nav-metrics').click();
    // One failing run and its two retries are one run: the error rate counts runs, not attempts.
    await expect.poll(() => page.getByTestId('card-attempts').textContent()).toMatch(/^Attempts\d+/);
    await shoot('metrics');
    await page.locator('[data-testid^="point-throughput-"]:not([aria-label^="runs 0 "])').last().click();
    await page.getByTestId('drilldown-table').waitFor();
    const runs = await page.getByTestId('drilldown-run').allTextContents();
    expect(runs).not.toContain(`FD-${ids.a}`); // superseded: behind its newest retry, not counted twice
    await page.getByTestId('drilldown-retried').check();
    await expect.poll(() => page.getByTestId('drilldown-run').allTextContents()).toContain(`FD-${ids.a}`);

    await page.getByTestId('nav-audit').click();
    await expect
      .poll(() => page.getByTestId('audit-target').allTextContents())
      .toContain(`FD-${ids.a} → retried as FD-${ids.a2}`);
    await shoot('audit');
  });

  it("previews the dispatcher's own request, and Test fire names the new run", async () => {
    await page.getByTestId('nav-mappings').click();
    await page.getByTestId('mappings-table').getByText('Orders OK').click();
    await page.getByTestId('m-sample').fill('{"order": "D-1"}');
    await page.getByTestId('m-preview').click();
    const request = page.getByTestId('m-preview-request');
    await expect.poll(() => request.textContent()).toContain('x-flightdeck-execution-id: <run id');
    const text = (await request.textContent()) ?? '';
    expect(text).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/webhook\/ok\n/);
    expect(text).toContain('user-agent: Flightdeck\n');
    expect(text.endsWith('\n{"order":"D-1"}')).toBe(true);
    await page.getByTestId('m-fire').click();
    await expect
      .poll(() => page.getByTestId('m-fired').textContent())
      .toMatch(/^Queued as FD-\d+: follow it under Executions\.$/);
    // n8n received exactly the bytes the preview showed (the header carries the run's own number).
    const fired = Number(/FD-(\d+)/.exec((await page.getByTestId('m-fired').textContent()) ?? '')![1]);
    await expect
      .poll(() => n8n.state.doorCalls.some((r) => r.headers['x-flightdeck-execution-id'] === String(fired)))
      .toBe(true);
    const received = n8n.state.doorCalls.find((r) => r.headers['x-flightdeck-execution-id'] === String(fired))!;
    expect(received.raw).toBe('{"order":"D-1"}');
    expect(received.headers['user-agent']).toBe('Flightdeck');
    await shoot('mapping-preview', 'm-preview-result');
  });
});
