import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/create-core';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

/**
 * Seeds gates into a fresh data dir through the real pipeline: an instance, one gated mapping
 * per order (its name becomes the summary, its priority the item's), and one event each.
 */
async function seed(dataDir: string): Promise<void> {
  const ok = async <T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>): Promise<T> => {
    const r = await p;
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.data as T;
  };
  const gate = async (core: Core, instanceId: string, name: string, priority: number, expires: boolean) => {
    const event = `order.${name.split(' ').at(-1)!.toLowerCase()}`;
    await ok(
      core.call('mappings:create', {
        mapping: {
          event,
          name,
          instanceId,
          webhookPath: 'orders',
          priority,
          requiresApproval: true,
          approvalExpiry: expires ? { afterMs: 60_000, action: 'reject' } : null,
        },
      }),
    );
    await ok(core.call('ingest:emit', { event, payload: { amount: priority * 100, customer: name } }));
  };
  // "The app was closed": this core runs two minutes in the past, so F's expiry is already due.
  const past = createCore({ dataDir, clock: { now: () => Date.now() - 120_000 } });
  const instance = await ok(
    past.call('instances:add', {
      name: 'dev',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'seed-key-123456',
      environment: 'dev',
      color: '#2f6fed',
      syncEnabled: false,
    }),
  );
  await gate(past, instance.id, 'Stale order F', 5, true);
  await past.close();
  const core = createCore({ dataDir });
  await gate(core, instance.id, 'Refund order A', 1, false);
  await gate(core, instance.id, 'Ship order B', 3, false);
  await gate(core, instance.id, 'Ship order C', 5, false);
  await gate(core, instance.id, 'Ship order D', 5, false);
  await gate(core, instance.id, 'Ship order E', 6, false);
  await core.close();
}

describe('approval inbox in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let dataDir: string;
  let page: Page;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-approvals-'));
    await seed(dataDir);
    [browser, app] = await Promise.all([launchChromium(), startConsole({ dataDir })]);
    page = await openConsole(browser, app.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const badge = () => page.getByTestId('approvals-badge').textContent();
  const focusedSummary = () =>
    page.locator('[data-testid="approval-row"][data-focused="true"] [data-testid="approval-summary"]').textContent();

  it('shows the badge, the expiry that happened at start, and moves with j/k', async () => {
    await expect.poll(badge).toBe('5');
    await page.getByTestId('nav-approvals').click();
    await expect
      .poll(() => page.getByTestId('expired-notice').textContent())
      .toMatch(/1 approval expired.*Stale order F — rejected/);
    await expect.poll(() => page.getByTestId('approval-row').count()).toBe(5);
    expect(await focusedSummary()).toMatch(/Refund order A/);
    await page.keyboard.press('j');
    await expect.poll(focusedSummary).toMatch(/Ship order B/);
    await page.keyboard.press('k');
    await expect.poll(focusedSummary).toMatch(/Refund order A/);
    await page.keyboard.press('j');
    await expect.poll(() => page.getByTestId('detail-payload').textContent()).toMatch(/Ship order B/);
  });

  it('is a table: headers sort, ↑/↓ and Enter open an item, Space selects, the column choice is remembered', async () => {
    const grid = page.getByTestId('approval-grid');
    const headers = () => grid.getByRole('columnheader').allTextContents();
    expect(await headers()).toEqual([
      '',
      'Priority',
      'Title',
      'Status',
      'From',
      'Due',
      'Expires',
      'Assignee',
      'Fields',
    ]);
    // Summaries read `<event> → <mapping>` (the seeded mappings have no title template).
    const titles = async () =>
      (await page.getByTestId('approval-summary').allTextContents()).map((s) => s.replace(/^.* → /, ''));
    const byPriority = ['Refund order A', 'Ship order B', 'Ship order C', 'Ship order D', 'Ship order E'];
    expect(await titles()).toEqual(byPriority);
    // Ascending, then descending by title.
    await page.getByTestId('approval-sort-title').click();
    await page.getByTestId('approval-sort-title').click();
    await expect.poll(titles).toEqual([...byPriority].reverse());
    expect(await grid.getByRole('columnheader', { name: 'Title' }).getAttribute('aria-sort')).toBe('descending');

    // Keyboard in the table: ↓ moves, Enter opens (the detail follows), Space ticks for a bulk decision.
    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(focusedSummary).toMatch(/Ship order D$/);
    await expect.poll(() => page.getByTestId('detail-payload').textContent()).toMatch(/Ship order D/);
    await page.keyboard.press(' ');
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('1 selected');
    await page.keyboard.press(' ');
    await expect.poll(() => page.getByTestId('bulk-bar').count()).toBe(0);

    // Hide a column; a reload keeps the choice and the sort.
    await page.getByTestId('approval-columns').click();
    await page.getByRole('checkbox', { name: 'Fields' }).uncheck();
    await expect.poll(headers).not.toContain('Fields');
    await page.reload();
    await expect.poll(titles).toEqual([...byPriority].reverse());
    expect(await headers()).not.toContain('Fields');
    await page.getByTestId('approval-columns').click();
    await page.getByRole('checkbox', { name: 'Fields' }).check();
    await page.getByTestId('approval-columns').click();
    // A third click drops the sort: the inbox's own order (priority, then age) again.
    await page.getByTestId('approval-sort-title').click();
    await expect.poll(titles).toEqual(byPriority);
    await page.getByTestId('approval-row').filter({ hasText: 'Ship order B' }).click();
    await expect.poll(focusedSummary).toMatch(/Ship order B$/);
  });

  it('walks with j/k in the order the table shows after a header sort, not the order it loaded', async () => {
    const shownTitles = async () =>
      (await page.getByTestId('approval-summary').allTextContents()).map((s) => s.replace(/^.* → /, ''));
    // Title Z→A: E, D, C, B, A (loaded by priority: A, B, C, D, E). A sort starts at the top.
    await page.getByTestId('approval-sort-title').click();
    await page.getByTestId('approval-sort-title').click();
    await expect
      .poll(shownTitles)
      .toEqual(['Ship order E', 'Ship order D', 'Ship order C', 'Ship order B', 'Refund order A']);
    await expect.poll(focusedSummary).toMatch(/Ship order E$/);
    await page.keyboard.press('j');
    await expect.poll(focusedSummary).toMatch(/Ship order D$/);
    await expect.poll(() => page.getByTestId('detail-payload').textContent()).toMatch(/Ship order D/);
    await page.keyboard.press('j');
    await expect.poll(focusedSummary).toMatch(/Ship order C$/);
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    await expect.poll(focusedSummary).toMatch(/Ship order E$/);
    // ↑/↓ in the table go on from the item open: j to D, then ↓ and Enter open C.
    await page.keyboard.press('j');
    await expect.poll(focusedSummary).toMatch(/Ship order D$/);
    await page.getByTestId('approval-grid').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(focusedSummary).toMatch(/Ship order C$/);
    // Back to the inbox's own order; B focused, as the next test expects.
    await page.getByTestId('approval-sort-title').click();
    await expect.poll(focusedSummary).toMatch(/Refund order A$/);
    await page.keyboard.press('j');
    await expect.poll(focusedSummary).toMatch(/Ship order B$/);
  });

  it('approves with a, rejects with r and a required comment; the badge follows', async () => {
    await page.keyboard.press('a');
    await expect.poll(badge).toBe('4');
    await expect.poll(focusedSummary).toMatch(/Ship order C/);

    await page.keyboard.press('r');
    await expect.poll(() => page.getByTestId('decision-title').textContent()).toBe('Reject 1 approval?');
    expect(await page.getByTestId('decision-confirm').isDisabled()).toBe(true);
    await page.getByTestId('decision-comment').fill('Customer cancelled');
    await page.getByTestId('decision-confirm').click();
    await expect.poll(badge).toBe('3');
    await expect.poll(focusedSummary).toMatch(/Ship order D/);
  });

  it('bulk-rejects the selection (x) after a confirmation stating the count', async () => {
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('2 selected');
    await page.keyboard.press('r');
    await expect.poll(() => page.getByTestId('decision-title').textContent()).toBe('Reject 2 approvals?');
    await page.getByTestId('decision-comment').fill('Duplicate orders');
    await page.getByTestId('decision-confirm').click();
    await expect.poll(() => page.getByTestId('bulk-result').textContent()).toMatch(/Rejected 2\./);
    await expect.poll(badge).toBe('1');
    await expect.poll(() => page.getByTestId('approval-row').count()).toBe(1);
  });

  it('saves the filter as a named view from a one-line filter bar, and applies it', async () => {
    const bar = page.getByTestId('inbox-filters');
    // One line: naming a view opens on demand.
    expect(await page.getByTestId('view-name').count()).toBe(0);
    await page.getByTestId('filter-status').selectOption('rejected');
    await expect.poll(() => page.getByTestId('approval-row').count()).toBe(3);
    await page.getByTestId('view-new').click();
    await page.getByTestId('view-name').fill('Rejected ones');
    await page.getByTestId('view-name').press('Enter');
    await expect.poll(() => page.getByTestId('view-name').count()).toBe(0);
    await expect.poll(() => bar.getByRole('option', { name: 'Rejected ones' }).count()).toBe(1);
    await page.getByTestId('filter-status').selectOption('open');
    await expect.poll(() => page.getByTestId('approval-row').count()).toBe(1);
    await page.getByTestId('view-select').selectOption({ label: 'Rejected ones' });
    await expect.poll(() => page.getByTestId('filter-status').inputValue()).toBe('rejected');
    await expect.poll(() => page.getByTestId('approval-row').count()).toBe(3);
    await page.getByTestId('filter-status').selectOption('open');
  });

  it('opens the Audit area filtered to approvals, where decisions show and the chain verifies', async () => {
    await page.getByTestId('approvals-audit-link').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/audit/approval');
    expect(await page.getByTestId('audit-target-filter').inputValue()).toBe('approval');
    await expect
      .poll(() => page.getByTestId('audit-table').textContent())
      .toMatch(/approval\.reject.*Duplicate orders/s);
    await page.getByTestId('audit-verify').click();
    await expect
      .poll(() => page.getByTestId('audit-verify-result').textContent())
      .toMatch(/All \d+ audit entries are intact/);
  });

  it('reports tampering when an audit entry is edited behind the console', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dataDir, 'flightdeck.sqlite'));
    db.pragma('busy_timeout = 5000');
    const id = db
      .prepare("SELECT id FROM audit_log WHERE action = 'approval.reject' ORDER BY id LIMIT 1")
      .pluck()
      .get() as number;
    db.prepare("UPDATE audit_log SET reason = 'nothing to see here' WHERE id = ?").run(id);
    db.close();
    await page.getByTestId('audit-verify').click();
    await expect
      .poll(() => page.getByTestId('audit-verify-result').textContent())
      .toBe(
        `⚠ Tampering detected: Audit entry ${id} does not match the chain: the log was altered at or before this entry.`,
      );
  });

  it('shows why the inbox could not be loaded, with a Retry that brings it back (never an empty inbox)', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dataDir, 'flightdeck.sqlite'));
    db.pragma('busy_timeout = 5000');
    // A row this version cannot read (written by hand): every listing of the inbox fails.
    const row = db.prepare("SELECT id, payload_json FROM approvals WHERE status = 'pending' LIMIT 1").get() as {
      id: number;
      payload_json: string;
    };
    db.prepare('UPDATE approvals SET payload_json = ? WHERE id = ?').run('{not json', row.id);
    await page.getByTestId('nav-approvals').click();
    await page.getByTestId('filter-status').selectOption('all');
    await expect.poll(() => page.getByTestId('load-error').textContent()).toMatch(/^Could not load the approvals\./);
    expect(await page.getByTestId('approval-row').count()).toBe(0);
    expect(await page.getByTestId('empty-state').count()).toBe(0);

    db.prepare('UPDATE approvals SET payload_json = ? WHERE id = ?').run(row.payload_json, row.id);
    db.close();
    await page.getByTestId('load-retry').click();
    await expect.poll(() => page.getByTestId('approval-row').count()).toBeGreaterThan(1);
    await page.getByTestId('filter-status').selectOption('open');
  });
});
