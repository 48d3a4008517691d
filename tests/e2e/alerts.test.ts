import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/core/create-core';
import { STORE_FILE } from '../../src/main/core/db/store';
import { insertExecutions, type SeedExecution } from '../../src/main/core/testing/seed-executions';
import { callHost, launchChromium, startConsole, type ConsoleProcess } from './console';

// Alerts end to end: two rules fire at start, the nav badge counts them, acknowledging and
// silencing take them out of it, unsilencing brings one back; the notifier keeps its address
// to itself; light and dark screenshots of the alerts tab.

const MIN = 60_000;
const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? tmpdir();

/** Runs of two workflows (one failing, one slow) and two rules that breach as soon as the host judges them. */
async function seededDataDir(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-alerts-'));
  const core = createCore({ dataDir, metrics: { pollMs: 0 } });
  const rule = (name: string, workflowId: string, condition: Record<string, unknown>) =>
    core.call('alerts:createRule', {
      rule: { name, workflowId, cooldownMs: 0, condition } as never,
    });
  await rule('Orders failing', 'wf-orders', { kind: 'error_rate', thresholdPct: 10, windowMs: 60 * MIN, minRuns: 1 });
  await rule('Mail slow', 'wf-mail', { kind: 'p95_duration', thresholdMs: 1000, windowMs: 60 * MIN, minRuns: 1 });
  await core.close();
  const db = new Database(join(dataDir, STORE_FILE));
  const now = Date.now();
  const orders: SeedExecution[] = Array.from({ length: 12 }, (_, i) => ({
    status: i % 3 === 0 ? 'failed' : 'succeeded',
    createdAtMs: now - 30 * MIN + i * MIN,
    durationMs: 200,
    instanceId: 'prod',
    workflowId: 'wf-orders',
    error: i % 3 === 0 ? 'HTTP 500 from the CRM' : null,
  }));
  const mail: SeedExecution[] = Array.from({ length: 5 }, (_, i) => ({
    status: 'succeeded',
    createdAtMs: now - 20 * MIN + i * MIN,
    durationMs: 4000,
    instanceId: 'prod',
    workflowId: 'wf-mail',
  }));
  insertExecutions(db, [...orders, ...mail]);
  db.close();
  return dataDir;
}

describe('alerts in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await seededDataDir();
    [browser, app] = await Promise.all([launchChromium(), startConsole({ dataDir })]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rowOf = (page: Page, rule: string) => page.getByTestId('alert-row').filter({ hasText: rule });
  const badge = (page: Page) =>
    page
      .getByTestId('alerts-badge')
      .count()
      .then(async (n) => (n === 0 ? null : await page.getByTestId('alerts-badge').textContent()));

  it('acknowledges and silences alerts, and the nav badge follows', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(app.url);
    await page.locator('[data-app-state="ready"]').waitFor();

    // Both rules fire on the host's first evaluation; the badge beside Metrics counts them.
    await expect.poll(() => badge(page), { timeout: 20_000 }).toBe('2');
    await page.getByTestId('nav-metrics').click();
    await page.getByTestId('metrics-tab-alerts').click();
    await expect.poll(() => page.getByTestId('alert-row').count()).toBe(2);
    expect(await rowOf(page, 'Orders failing').getAttribute('data-state')).toBe('firing');
    expect(await rowOf(page, 'Orders failing').textContent()).toContain('workflow “wf-orders”');
    expect(await page.getByTestId('alerts-tab-badge').textContent()).toBe('2');
    await page.screenshot({ path: `${shots}/alerts-firing-light.png` });

    // Acknowledge one: it stays firing but leaves the badge.
    await rowOf(page, 'Orders failing').getByTestId('ack-alert').click();
    await expect.poll(() => rowOf(page, 'Orders failing').getAttribute('data-state')).toBe('acknowledged');
    await expect.poll(() => badge(page)).toBe('1');
    expect(await rowOf(page, 'Orders failing').getByTestId('ack-alert').count()).toBe(0);

    // Silence the other for an hour: the badge is gone.
    await rowOf(page, 'Mail slow').getByTestId('silence-alert').selectOption({ label: '1 hour' });
    await expect.poll(() => rowOf(page, 'Mail slow').getAttribute('data-state')).toBe('silenced');
    await expect.poll(() => badge(page)).toBeNull();
    expect(await rowOf(page, 'Mail slow').textContent()).toMatch(/Silenced until/);
    const counts = await callHost<{ open: number; unacknowledged: number; silenced: number }>(app, 'alerts:counts', {});
    expect(counts).toEqual({ open: 2, unacknowledged: 0, silenced: 1 });

    // Another window's change reaches this one: unsilenced over the wire, the badge comes back.
    const open = await callHost<{ alerts: { id: number; ruleName: string }[] }>(app, 'alerts:list', { state: 'open' });
    const mail = open.alerts.find((a) => a.ruleName === 'Mail slow')!;
    await callHost(app, 'alerts:unsilence', { id: mail.id });
    await expect.poll(() => badge(page)).toBe('1');
    await expect.poll(() => rowOf(page, 'Mail slow').getAttribute('data-state')).toBe('firing');
    // …and silenced again from here for the pictures.
    await rowOf(page, 'Mail slow').getByTestId('silence-alert').selectOption({ label: '4 hours' });
    await expect.poll(() => badge(page)).toBeNull();

    // The history keeps both, with who acknowledged.
    await page.getByTestId('alerts-all').click();
    await expect.poll(() => page.getByTestId('alert-row').count()).toBe(2);
    await page.getByTestId('alerts-open').click();

    // The audit log recorded each action.
    const audit = await callHost<{ entries: { action: string }[] }>(app, 'audit:list', { targetType: 'alert' });
    expect(audit.entries.map((e) => e.action)).toEqual([
      'alert.silence',
      'alert.unsilence',
      'alert.silence',
      'alert.acknowledge',
    ]);
    await page.close();
  });

  it('sets up the webhook notifier without ever showing its address back, and refuses a hostile one', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    await page.goto(app.url);
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('nav-metrics').click();
    await page.getByTestId('metrics-tab-alerts').click();

    const url = page.getByTestId('notifier-url');
    await url.fill('javascript:alert(1)');
    await page.getByTestId('notifier-save').click();
    await expect
      .poll(() => page.getByTestId('notifier-form').textContent())
      .toContain('Only http and https addresses can be notified');
    expect((await callHost<{ configured: boolean }>(app, 'alerts:getNotifier', {})).configured).toBe(false);

    // Port 9 (discard) on loopback: nothing listens, so the test notice waits for a retry.
    await url.fill('http://127.0.0.1:9/services/T01/B02/secretTokenPart');
    await page.getByTestId('notifier-secret').fill('a-signing-secret');
    await page.getByTestId('notifier-save').click();
    await expect.poll(() => page.getByTestId('notifier-status').textContent()).toContain('http://127.0.0.1:9/…');
    expect(await page.getByTestId('notifier-status').textContent()).toContain('signed');
    expect(await url.inputValue()).toBe('');
    await page.getByTestId('notifier-test').click();
    await expect
      .poll(() => page.getByTestId('outbox-row').first().textContent(), { timeout: 15_000 })
      .toMatch(/Could not reach http:\/\/127\.0\.0\.1:9\/… \(ECONNREFUSED\)/);
    const html = await page.content();
    expect(html).not.toContain('secretTokenPart');
    expect(html).not.toContain('a-signing-secret');

    // The alerts tab in light and dark.
    await page.locator('.content').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: `${shots}/alerts-light.png`, fullPage: true });
    await callHost(app, 'settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.screenshot({ path: `${shots}/alerts-dark.png`, fullPage: true });
    await callHost(app, 'settings:update', { patch: { theme: 'light' } });
    await page.close();
  });
});
