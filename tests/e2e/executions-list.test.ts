import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { callHost, launchChromium, startConsole, type ConsoleProcess } from './console';

/**
 * The Executions list as a table the core sorts and pages (issues #14, #15), in Chromium against
 * the built host and the loopback fake n8n: sort from a header, jump to the oldest runs past the
 * first page, filter by event or mapping, and a run that appears live, pushed with the core's
 * event, without the list asking the core again.
 */
let n8n: FakeN8n;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
/** Contract calls the page sent over its WebSocket, by channel. */
const sent: string[] = [];
let liveMappingId = '';
const queuedIds: number[] = [];

type Summary = { id: number; status: string };
const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
const emit = async (event: string, payload: unknown) =>
  (await call<{ executionIds: number[] }>('ingest:emit', { event, payload })).executionIds[0]!;
const rowIds = () =>
  page
    .locator('[data-testid="execution-row"]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-row-id'))));
const listed = async (input: Record<string, unknown>) =>
  (await call<{ executions: Summary[] }>('executions:list', { limit: 500, ...input })).executions;

beforeAll(async () => {
  n8n = await startFakeN8n();
  n8n.state.doorFault = (c) => (c.path === '/webhook/fail' ? { status: 422, body: { message: 'No' } } : undefined);
  const body = webhookWorkflow({ path: 'ok', respond: {} });
  n8n.addWorkflow('w1', 'Orders', { nodes: body.nodes, connections: body.connections });
  app = await startConsole();
  const instance = async (name: string) =>
    (
      await call<{ id: string }>('instances:add', {
        name,
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment: name,
        color: '#2f6fed',
        syncEnabled: false,
      })
    ).id;
  const prod = await instance('prod');
  // A paused instance keeps its runs queued: 230 of them, more than one page (200).
  const staging = await instance('staging');
  await call('queue:pause', { instanceId: staging });
  const mapping = async (m: Record<string, unknown>) =>
    (await call<{ id: string }>('mappings:create', { mapping: m })).id;
  liveMappingId = await mapping({ name: 'New orders', event: 'order.created', instanceId: prod, webhookPath: 'ok' });
  await mapping({ event: 'order.refused', instanceId: prod, webhookPath: 'fail', retry: { attempts: 1 } });
  await mapping({ name: 'Backfill', event: 'backfill.item', instanceId: staging, webhookPath: 'ok' });
  for (let i = 0; i < 230; i++) queuedIds.push(await emit('backfill.item', { i }));
  const done = [
    await emit('order.created', { n: 1 }),
    await emit('order.refused', { n: 2 }),
    await emit('order.created', { n: 3 }),
  ];
  // Until the three have finished (a plain wait: expect.poll belongs to tests, not hooks).
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const finished = await listed({ status: ['succeeded', 'dead_lettered'] });
    if (finished.filter((e) => done.includes(e.id)).length === 3) break;
    if (Date.now() > deadline) throw new Error(`runs did not finish: ${JSON.stringify(finished)}`);
  }

  browser = await launchChromium();
  page = await browser.newPage();
  page.on('websocket', (ws) =>
    ws.on('framesent', (frame) => {
      const channel = /"channel":"([^"]+)"/.exec(String(frame.payload))?.[1];
      if (channel) sent.push(channel);
    }),
  );
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(app.url);
  await page.locator('[data-app-state="ready"]').waitFor();
  await page.getByTestId('nav-executions').click();
  await page.getByTestId('execution-row').first().waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await n8n?.close();
});

describe('the executions list, sorted and paged by the core', () => {
  it('shows each run with its event and its mapping by name; the detail links the mapping', async () => {
    const newest = await listed({ event: 'order.created', limit: 1 });
    const row = page.locator(`[data-testid="execution-row"][data-row-id="${newest[0]!.id}"]`);
    await expect.poll(() => row.getByTestId('execution-event').textContent()).toBe('order.created → New orders');
    // The detail links the mapping (a click on the row opens the run, wherever it lands).
    await row.getByTestId('execution-mapping').click();
    const link = page.getByTestId('execution-detail-mapping');
    await expect.poll(() => link.getAttribute('href')).toBe(`#/mappings/${liveMappingId}`);
    await page.getByRole('button', { name: 'Close details' }).click();
    // A mapping without a name is shown by its event alone.
    const refused = (await listed({ event: 'order.refused' }))[0]!;
    const refusedRow = page.locator(`[data-testid="execution-row"][data-row-id="${refused.id}"]`);
    expect(await refusedRow.getByTestId('execution-event').textContent()).toBe('order.refused');
  });

  it('sorts by status from its header, in the core, both ways and back to newest first', async () => {
    const header = page.getByTestId('execution-sort-status');
    await header.click();
    const ascending = (await listed({ sort: 'status', direction: 'asc', limit: 200 })).map((e) => e.id);
    await expect.poll(async () => (await rowIds()).slice(0, 10)).toEqual(ascending.slice(0, 10));
    expect(await page.locator('[role="columnheader"][aria-sort="ascending"]').textContent()).toContain('Status');
    await header.click();
    const descending = (await listed({ sort: 'status', direction: 'desc', limit: 200 })).map((e) => e.id);
    await expect.poll(async () => (await rowIds()).slice(0, 10)).toEqual(descending.slice(0, 10));
    // Sorted by the core, not among the 200 rows in hand: ascending starts (after the one
    // dead-lettered run) with the oldest queued runs, which the newest-first page did not hold.
    expect(ascending.slice(1, 4)).toEqual(queuedIds.slice(0, 3));
    expect(await page.getByTestId('execution-count').textContent()).toContain('by status');
    await header.click();
    const newest = (await listed({ limit: 200 })).map((e) => e.id);
    await expect.poll(async () => (await rowIds()).slice(0, 10)).toEqual(newest.slice(0, 10));
  });

  it('jumps to the oldest runs, past the first page, and back to the newest', async () => {
    const oldest = queuedIds[0]!;
    expect(await rowIds()).not.toContain(oldest);
    await page.getByTestId('execution-jump-oldest').click();
    await expect.poll(() => page.getByTestId('execution-count').textContent()).toContain('from the oldest');
    // Shown newest first: the oldest 200, the very oldest at the end (End moves there).
    await expect.poll(async () => (await rowIds())[0]).toBe(queuedIds[199]);
    await page.getByTestId('execution-grid').focus();
    await page.keyboard.press('End');
    await expect.poll(async () => (await rowIds()).includes(oldest)).toBe(true);
    await page.getByTestId('execution-jump-newest').click();
    const newest = (await listed({ limit: 1 }))[0]!.id;
    await expect.poll(async () => (await rowIds())[0]).toBe(newest);
  });

  it('filters by event or mapping from the picker', async () => {
    await page.getByTestId('execution-route-input').fill('New orders');
    await page.getByTestId('execution-route-option').filter({ hasText: 'New orders' }).first().click();
    const expected = (await listed({ mappingId: liveMappingId })).map((e) => e.id);
    await expect.poll(rowIds).toEqual(expected);
    await page.getByTestId('execution-route-input').fill('');
    await page.getByTestId('execution-route-option').filter({ hasText: 'Any event or mapping' }).click();
    await expect.poll(async () => (await rowIds()).length).toBeGreaterThan(expected.length);
  });

  it('shows a new run live, pushed with the core event, without asking the core again', async () => {
    const before = sent.filter((c) => c === 'executions:list').length;
    const id = await emit('order.created', { n: 4 });
    const row = page.locator(`[data-testid="execution-row"][data-row-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect((await rowIds())[0]).toBe(id);
    // …and its status follows the run to its end.
    await expect
      .poll(() => row.getByTestId('execution-status-cell').textContent(), { timeout: 30_000 })
      .toBe('succeeded');
    expect(sent.filter((c) => c === 'executions:list').length).toBe(before);
  });
});
