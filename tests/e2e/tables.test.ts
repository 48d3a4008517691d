import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/core/create-core';
import { STORE_FILE } from '../../src/main/core/db/store';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { insertExecutions } from '../../src/main/core/testing/seed-executions';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The shared table in every area that lists things (workflows, schedules, audit, queue, alerts),
// driven from the keyboard only: focus the grid, ↓ moves, Enter opens the detail beside it, a
// header sorts, a hidden column stays hidden after a reload; light and dark pictures of each
// (written to FLIGHTDECK_SCREENSHOTS or the temp folder).

const MIN = 60_000;
const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? tmpdir();

/** Two alert rules that breach on the host's first evaluation (runs seeded straight into the store). */
async function seededDataDir(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-tables-'));
  const core = createCore({ dataDir, metrics: { pollMs: 0 } });
  const rule = (name: string, workflowId: string, condition: Record<string, unknown>) =>
    core.call('alerts:createRule', { rule: { name, workflowId, cooldownMs: 0, condition } as never });
  await rule('Orders failing', 'wf-orders', { kind: 'error_rate', thresholdPct: 10, windowMs: 60 * MIN, minRuns: 1 });
  await rule('Mail slow', 'wf-mail', { kind: 'p95_duration', thresholdMs: 1000, windowMs: 60 * MIN, minRuns: 1 });
  await core.close();
  const db = new Database(join(dataDir, STORE_FILE));
  const now = Date.now();
  insertExecutions(db, [
    ...Array.from({ length: 6 }, (_, i) => ({
      status: i % 2 === 0 ? ('failed' as const) : ('succeeded' as const),
      createdAtMs: now - 30 * MIN + i * MIN,
      durationMs: 200,
      instanceId: 'prod',
      workflowId: 'wf-orders',
    })),
    ...Array.from({ length: 3 }, (_, i) => ({
      status: 'succeeded' as const,
      createdAtMs: now - 20 * MIN + i * MIN,
      durationMs: 4000,
      instanceId: 'prod',
      workflowId: 'wf-mail',
    })),
  ]);
  db.close();
  return dataDir;
}

describe('tables in Chromium, keyboard only', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  let dataDir: string;
  let instanceId: string;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);

  beforeAll(async () => {
    dataDir = await seededDataDir();
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole({ dataDir }), startFakeN8n()]);
    n8n.addWorkflow('wfOrders000000001', 'Orders → CRM', { path: 'orders' });
    n8n.addWorkflow('wfBilling00000001', 'Billing sync', { active: false, path: 'billing' });
    n8n.addWorkflow('wfAlerts000000001', 'Alerts digest', { path: 'digest' });
    n8n.addExecutions(2, 'wfOrders000000001', 'error');
    n8n.addExecutions(1, 'wfAlerts000000001', 'success');
    const instance = await call<{ id: string }>('instances:add', {
      name: 'prod',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    instanceId = instance.id;
    await call('instances:syncNow', { id: instanceId });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(area: string): Promise<Page> {
    const page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId(`nav-${area}`).focus();
    await page.keyboard.press('Enter');
    return page;
  }

  const grid = (page: Page, table: string) => page.getByTestId(`${table}-grid`);
  const rows = (page: Page, table: string) => grid(page, table).locator('[role="row"][data-row-id]');
  const headers = (page: Page, table: string) => grid(page, table).locator('[role="columnheader"]').allTextContents();

  /** The texts of one column, top to bottom, found by its header. */
  async function column(page: Page, table: string, header: string): Promise<string[]> {
    const names = (await headers(page, table)).map((h) => h.replace(/[▲▼]/g, '').trim());
    const index = names.indexOf(header);
    if (index < 0) throw new Error(`no column ${header} in ${names.join(', ')}`);
    const texts: string[] = [];
    for (const row of await rows(page, table).all())
      texts.push(((await row.locator('[role="gridcell"]').nth(index).textContent()) ?? '').trim());
    return texts;
  }

  /** A header sorts by Enter on its button (Tab reaches it; focus() stands in for the Tabs). */
  async function sortBy(page: Page, table: string, columnId: string) {
    await page.getByTestId(`${table}-sort-${columnId}`).focus();
    await page.keyboard.press('Enter');
  }

  /** Opens "Columns" and unticks one, from the keyboard. */
  async function hide(page: Page, table: string, header: string) {
    await page.getByTestId(`${table}-columns`).focus();
    await page.keyboard.press('Enter');
    const box: Locator = page.getByTestId(table).getByRole('checkbox', { name: header, exact: true });
    await box.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => headers(page, table)).not.toContain(header);
    await page.getByTestId(`${table}-columns`).focus();
    await page.keyboard.press('Enter');
  }

  /** After a reload the table comes back as it was left: the hidden column stays hidden. */
  async function reloadKeeps(page: Page, table: string, hidden: string, shown: string) {
    await page.reload();
    await page.locator('[data-app-state="ready"]').waitFor();
    await expect.poll(() => rows(page, table).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const now = await headers(page, table);
    expect(now.map((h) => h.replace(/[▲▼]/g, '').trim())).toContain(shown);
    expect(now.map((h) => h.replace(/[▲▼]/g, '').trim())).not.toContain(hidden);
  }

  async function shoot(page: Page, name: string) {
    await page.screenshot({ path: `${shots}/table-${name}-light.png` });
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.screenshot({ path: `${shots}/table-${name}-dark.png` });
    await call('settings:update', { patch: { theme: 'light' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
  }

  it('workflows: sorts, opens a workflow with Enter, its runs open their route, remembers columns', async () => {
    const page = await open('workflows');
    await expect.poll(() => rows(page, 'workflow-table').count()).toBe(3);
    // The last run in the operator's words, not raw status names.
    await expect.poll(() => column(page, 'workflow-table', 'Last run')).toContain('Failed');
    expect((await column(page, 'workflow-table', 'Last run')).join(' ')).not.toMatch(/succeeded|failed/);
    await shoot(page, 'workflows-list');

    await sortBy(page, 'workflow-table', 'name');
    await expect
      .poll(() => column(page, 'workflow-table', 'Name'))
      .toEqual(['Alerts digest', 'Billing sync', 'Orders → CRM']);
    await sortBy(page, 'workflow-table', 'name');
    await expect.poll(async () => (await column(page, 'workflow-table', 'Name'))[0]).toBe('Orders → CRM');

    // Focus, ↓ to the second row (Billing sync), Enter opens it beside the table.
    await grid(page, 'workflow-table').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('workflow-detail');
    await expect.poll(() => detail.locator('h2').textContent()).toBe('Billing sync');
    expect(new URL(page.url()).hash).toBe(`#/workflows/${instanceId}/wfBilling00000001`);
    // The table keeps its room: it is not squeezed under the detail.
    const tableBox = await grid(page, 'workflow-table').boundingBox();
    expect(tableBox?.width ?? 0).toBeGreaterThanOrEqual(420);
    // ↑ and Enter: the next workflow, still from the keyboard; Escape closes.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => detail.locator('h2').textContent()).toBe('Orders → CRM');
    expect(await detail.getByTestId('open-in-n8n').getAttribute('href')).toBe(
      `${n8n.baseUrl}/workflow/wfOrders000000001`,
    );
    await expect.poll(() => detail.getByTestId('workflow-execution').count()).toBe(2);
    // The divider between table and detail moves from the keyboard (← widens the detail), and stays.
    const divider = page.getByTestId('workflows-divider');
    const widthBefore = Number(await divider.getAttribute('aria-valuenow'));
    await divider.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => Number(await divider.getAttribute('aria-valuenow'))).toBe(widthBefore + 40);
    expect((await grid(page, 'workflow-table').boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(420);
    await shoot(page, 'workflows');
    const link = detail.getByTestId('workflow-execution-link').first();
    const href = await link.getAttribute('href');
    await link.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).hash).toBe(href);
    await expect.poll(() => page.getByTestId('execution-detail').isVisible()).toBe(true);
    await page.goBack();
    await expect.poll(() => detail.isVisible()).toBe(true);
    await grid(page, 'workflow-table').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => detail.count()).toBe(0);

    await hide(page, 'workflow-table', 'Instance');
    await reloadKeeps(page, 'workflow-table', 'Instance', 'Name');
    await rows(page, 'workflow-table').first().click();
    await expect.poll(async () => Number(await divider.getAttribute('aria-valuenow'))).toBe(widthBefore + 40);
    // The sort is remembered too (Name, descending).
    expect((await column(page, 'workflow-table', 'Name'))[0]).toBe('Orders → CRM');
    await page.close();
  });

  it('schedules: Space selects, Enter opens the ledger beside the table, sorts, remembers columns', async () => {
    for (const [name, event] of [
      ['Nightly report', 'report.nightly'],
      ['Hourly sync', 'sync.hourly'],
    ])
      await call('schedules:create', {
        draft: { name, event, payload: {}, timing: { kind: 'cron', expression: '0 3 * * *', timeZone: 'UTC' } },
      });
    const page = await open('schedules');
    await expect.poll(() => rows(page, 'schedules-table').count()).toBe(2);
    await sortBy(page, 'schedules-table', 'name');
    await expect.poll(() => column(page, 'schedules-table', 'Name')).toEqual(['Hourly sync', 'Nightly report']);

    await grid(page, 'schedules-table').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByLabel('Bulk actions').textContent()).toContain('1 selected');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('schedule-ledger').locator('h2').textContent())
      .toBe('Ledger: Nightly report');
    await expect.poll(() => page.getByTestId('ledger-upcoming').count()).toBe(10);
    await shoot(page, 'schedules');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('schedule-ledger').count()).toBe(0);

    await hide(page, 'schedules-table', 'Event');
    await reloadKeeps(page, 'schedules-table', 'Event', 'Name');
    await page.close();
  });

  it('audit: Enter opens an entry with its details, sorts by action, remembers columns', async () => {
    const page = await open('audit');
    await expect.poll(() => rows(page, 'audit-table').count()).toBeGreaterThanOrEqual(3);
    // An alert rule's entries name the rule (kept whole in the entry), not its id.
    await expect
      .poll(async () => (await column(page, 'audit-table', 'Target')).join(' | '), { timeout: 10_000 })
      .toContain('alert rule “Orders failing”');
    // Newest first until a header says otherwise.
    const ids = (
      await rows(page, 'audit-table').evaluateAll((els) => els.map((el) => el.getAttribute('data-row-id')))
    ).map(Number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    await sortBy(page, 'audit-table', 'what');
    await expect
      .poll(async () => {
        const whats = await column(page, 'audit-table', 'What');
        return whats.join(',') === [...whats].sort().join(',');
      })
      .toBe(true);

    await grid(page, 'audit-table').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('audit-detail');
    await expect.poll(() => detail.isVisible()).toBe(true);
    expect(await detail.textContent()).toMatch(/hash [0-9a-f]{16,}/);
    expect(new URL(page.url()).hash).toMatch(/^#\/audit\/\d+$/);
    await shoot(page, 'audit');
    await page.keyboard.press('Escape');
    await expect.poll(() => detail.count()).toBe(0);

    await hide(page, 'audit-table', 'Why');
    await reloadKeeps(page, 'audit-table', 'Why', 'What');
    await page.close();
  });

  it('audit: End at the bottom of a long log loads the older pages as it goes', async () => {
    for (let i = 0; i < 120; i++) await call('settings:update', { patch: { theme: i % 2 === 0 ? 'dark' : 'light' } });
    await call('settings:update', { patch: { theme: 'light' } });
    const page = await open('audit');
    await expect.poll(() => page.getByTestId('audit-count').textContent()).toBe('100+ entries');
    // A link to an entry older than the pages loaded still opens it; one that does not exist says so.
    await page.evaluate(() => (location.hash = '#/audit/1'));
    await expect.poll(() => page.getByTestId('audit-detail').locator('h2').textContent()).toBe('alert_rule.create');
    await page.evaluate(() => (location.hash = '#/audit/999999'));
    await expect
      .poll(() => page.getByTestId('audit-detail-missing').textContent())
      .toBe('There is no audit entry #999999.');
    await page.evaluate(() => (location.hash = '#/audit'));
    await grid(page, 'audit-table').focus();
    await page.keyboard.press('End');
    // The last rows came into view: the next page arrives without a click, and End reaches the oldest.
    await expect
      .poll(() => page.getByTestId('audit-count').textContent(), { timeout: 10_000 })
      .toMatch(/^1[2-9]\d entries$/);
    await page.keyboard.press('End');
    await expect
      .poll(() => rows(page, 'audit-table').last().getAttribute('data-action'), { timeout: 10_000 })
      .toBe('alert_rule.create');
    await page.close();
  });

  it('audit: a header sorts the whole log on the core, and paging goes on in that order', async () => {
    const page = await open('audit');
    await expect.poll(() => page.getByTestId('audit-count').textContent()).toBe('100+ entries');
    // A→Z starts with the two alert rules, recorded first: not on the newest page, so the core sorted.
    await sortBy(page, 'audit-table', 'what');
    await expect.poll(() => rows(page, 'audit-table').first().getAttribute('data-action')).toBe('alert_rule.create');
    expect(await rows(page, 'audit-table').nth(1).getAttribute('data-action')).toBe('alert_rule.create');
    expect(await page.getByTestId('audit-table-grid').locator('[aria-sort="ascending"]').textContent()).toContain(
      'What',
    );
    // Scrolling to the end pages on in the same order: the last entry is the last action A→Z.
    await grid(page, 'audit-table').focus();
    await page.keyboard.press('End');
    await expect
      .poll(() => page.getByTestId('audit-count').textContent(), { timeout: 10_000 })
      .toMatch(/^1[2-9]\d entries$/);
    await page.keyboard.press('End');
    const kinds = await call<{ actions: string[] }>('audit:kinds', {});
    await expect
      .poll(() => rows(page, 'audit-table').last().getAttribute('data-action'), { timeout: 10_000 })
      .toBe(kinds.actions.at(-1));
    const shown = await column(page, 'audit-table', 'What');
    expect(shown).toEqual([...shown].sort());
    // Z→A, then back to newest first; the order is remembered across a reload.
    await sortBy(page, 'audit-table', 'what');
    await expect.poll(() => rows(page, 'audit-table').first().getAttribute('data-action')).toBe(kinds.actions.at(-1));
    await page.reload();
    await page.locator('[data-app-state="ready"]').waitFor();
    await expect
      .poll(() => page.getByTestId('audit-table-grid').locator('[aria-sort="descending"]').textContent())
      .toContain('What');
    await sortBy(page, 'audit-table', 'what');
    await expect
      .poll(() => page.getByTestId('audit-table-grid').locator('[aria-sort="descending"]').textContent())
      .toContain('When');
    const ids = (
      await rows(page, 'audit-table').evaluateAll((els) => els.map((el) => el.getAttribute('data-row-id')))
    ).map(Number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    await page.close();
  });

  it('queue: ↓ and Space select a job, Enter opens its run, sorts, remembers columns', async () => {
    // An instance that never answers: its runs wait in the queue.
    const down = await startFakeN8n();
    await down.stop();
    const offline = await call<{ id: string }>('instances:add', {
      name: 'prod-eu',
      baseUrl: down.baseUrl,
      apiKey: down.apiKey,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await call('mappings:create', {
      mapping: { event: 'order.created', name: 'Orders to ERP', instanceId: offline.id, webhookPath: 'orders' },
    });
    for (let i = 0; i < 3; i++) await call('ingest:emit', { event: 'order.created', payload: { i } });
    const page = await open('queue');
    await expect.poll(() => rows(page, 'queue-jobs').count(), { timeout: 20_000 }).toBe(3);

    // Numbers sort highest first on the first press (the newest run on top), then lowest first.
    const runNumbers = async () => (await column(page, 'queue-jobs', 'Run')).map((r) => Number(r.replace('FD-', '')));
    await sortBy(page, 'queue-jobs', 'run');
    await expect.poll(runNumbers).toSatisfy((ids: number[]) => ids.every((id, i) => i === 0 || id < ids[i - 1]!));
    await sortBy(page, 'queue-jobs', 'run');
    await expect.poll(runNumbers).toSatisfy((ids: number[]) => ids.every((id, i) => i === 0 || id > ids[i - 1]!));
    const runs = await column(page, 'queue-jobs', 'Run');

    await grid(page, 'queue-jobs').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('queue-cancel').textContent()).toContain('1 selected');
    await shoot(page, 'queue');
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/executions/${runs[1]}`);
    await page.goBack();

    await expect.poll(() => rows(page, 'queue-jobs').count(), { timeout: 10_000 }).toBe(3);
    await hide(page, 'queue-jobs', 'Reason');
    await reloadKeeps(page, 'queue-jobs', 'Reason', 'Run');
    await page.close();
    await down.close();
  });

  it('alerts: Enter opens an alert with its actions, sorts by rule, remembers columns', async () => {
    const page = await open('metrics');
    await page.getByTestId('metrics-tab-alerts').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => rows(page, 'alert-history').count(), { timeout: 20_000 }).toBe(2);
    await sortBy(page, 'alert-history', 'rule');
    await expect.poll(() => column(page, 'alert-history', 'Rule')).toEqual(['Mail slow', 'Orders failing']);

    await grid(page, 'alert-history').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('alert-detail');
    await expect.poll(() => detail.locator('h3').textContent()).toBe('Orders failing');
    await shoot(page, 'alerts');
    // Acknowledge from the detail, still by keyboard.
    await detail.getByTestId('ack-alert').focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('alert-row').filter({ hasText: 'Orders failing' }).getAttribute('data-state'))
      .toBe('acknowledged');
    await grid(page, 'alert-history').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => detail.count()).toBe(0);

    await hide(page, 'alert-history', 'Subject');
    await page.reload();
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('metrics-tab-alerts').click();
    await expect.poll(() => rows(page, 'alert-history').count(), { timeout: 10_000 }).toBe(2);
    expect(await headers(page, 'alert-history')).not.toContain('Subject');
    await page.close();
  });
});
