import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/core/create-core';
import { STORE_FILE } from '../../src/main/core/db/store';
import { insertExecutions, type SeedExecution } from '../../src/main/core/testing/seed-executions';
import { launchChromium, startConsole, type ConsoleProcess } from './console';

const MIN = 60_000;
const now = () => Date.now();

/**
 * A data directory prepared before the host starts: the schema from a core, then executions
 * written straight into the shared table (as the sync and the dispatcher will).
 * wf-orders (prod), last hour: durations 100…2000 ms, every 4th failed → 20 runs, 5 failed,
 * p50 = rank 10 → 1000 ms, p95 = rank 19 → 1900 ms. wf-mail (staging): 10 runs over the last day.
 */
async function seededDataDir(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-metrics-'));
  await createCore({ dataDir, metrics: { pollMs: 0 } }).close();
  const db = new Database(join(dataDir, STORE_FILE));
  const now = Date.now();
  const orders: SeedExecution[] = Array.from({ length: 20 }, (_, i) => ({
    status: i % 4 === 3 ? 'failed' : 'succeeded',
    createdAtMs: now - 45 * MIN + i * MIN,
    durationMs: (i + 1) * 100,
    queueWaitMs: 20,
    instanceId: 'prod',
    workflowId: 'wf-orders',
    mappingId: 'orders-map',
    error: i % 4 === 3 ? 'HTTP 500 from the CRM' : null,
  }));
  const mail: SeedExecution[] = Array.from({ length: 10 }, (_, i) => ({
    status: 'succeeded',
    createdAtMs: now - (i + 2) * 2 * 60 * MIN,
    durationMs: 50,
    instanceId: 'staging',
    workflowId: 'wf-mail',
  }));
  insertExecutions(db, [...orders, ...mail]);
  db.close();
  return dataDir;
}

/** Records the notifications the page shows (headless Chromium has no notification centre). */
const fakeNotifications = () => {
  const shown: { title: string; body?: string }[] = [];
  (window as unknown as { __notes: typeof shown }).__notes = shown;
  class FakeNotification {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    constructor(title: string, options?: { body?: string }) {
      shown.push({ title, ...(options?.body ? { body: options.body } : {}) });
    }
  }
  (window as unknown as { Notification: unknown }).Notification = FakeNotification;
};

describe('metrics in Chromium', () => {
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

  async function metricsPage(): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    await context.addInitScript(fakeNotifications);
    const page = await context.newPage();
    await page.goto(app.url);
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('nav-metrics').click();
    await page.getByTestId('summary-cards').waitFor();
    return page;
  }

  it('shows the hand-computed numbers, drills into a point and exports a chart', async () => {
    const page = await metricsPage();
    await expect.poll(() => page.getByTestId('card-throughput').textContent()).toContain('30 runs');
    expect(await page.getByTestId('workflow-row-wf-orders').textContent()).toContain('20');
    expect(await page.getByTestId('workflow-row-wf-mail').textContent()).toContain('10');

    // Scope to the mapping that produced the orders runs, then back to everything.
    await page.getByTestId('scope-mapping').selectOption('orders-map');
    await expect.poll(() => page.getByTestId('card-throughput').textContent()).toContain('20 runs');
    await page.getByTestId('scope-mapping').selectOption('');
    await expect.poll(() => page.getByTestId('card-throughput').textContent()).toContain('30 runs');

    await page.getByTestId('range-1h').click();
    await expect.poll(() => page.getByTestId('card-throughput').textContent()).toContain('20 runs');
    expect(await page.getByTestId('card-errors').textContent()).toContain('25.0%');
    expect(await page.getByTestId('card-p50').textContent()).toContain('1.00 s');
    expect(await page.getByTestId('card-p95').textContent()).toContain('1.90 s');
    expect(await page.getByTestId('card-p95').textContent()).toContain('exact');
    // The run-time chart says which line is p50 and which p95.
    expect(await page.getByTestId('legend-p95').textContent()).toBe('p50p95');

    // Click a point that has runs: the executions behind it appear.
    await page.locator('[data-testid^="point-throughput-"]:not([aria-label^="runs 0 "])').first().click();
    await page.getByTestId('drilldown-table').waitFor();
    const shown = await page.getByTestId('drilldown-row').count();
    expect(shown).toBeGreaterThan(0);
    expect(await page.getByTestId('drilldown-total').textContent()).toMatch(new RegExp(`^${shown} runs?`));

    // A point of the error-rate chart above zero holds a failure: filter the list down to it.
    await page.locator('[data-testid^="point-error-rate-"]:not([aria-label^="error % 0 "])').first().click();
    await page.getByTestId('drilldown-status').selectOption('failed');
    await expect
      .poll(async () => {
        const rows = await page.getByTestId('drilldown-row').allTextContents();
        return rows.length > 0 && rows.every((r) => r.includes('failed') && r.includes('HTTP 500'));
      })
      .toBe(true);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-throughput').click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('bucket_start_iso,bucket_start_ms,bucket_ms,total,attempts,failedAttempts');
    // Header + the two-minute buckets that cover the hour (31 unless now sits on a bucket edge).
    expect(csv.length - 1).toBe(now() % (2 * MIN) === 0 ? 30 : 31);
    expect(csv.slice(1).reduce((n, line) => n + Number(line.split(',')[3]), 0)).toBe(20);

    // A range with nothing in it says why it is empty.
    await page.getByTestId('range-custom').click();
    await page.getByTestId('range-from').fill('2020-01-01T00:00');
    await page.getByTestId('range-to').fill('2020-01-02T00:00');
    await expect.poll(() => page.getByTestId('empty-state').textContent()).toContain('Nothing finished between');
  });

  it('creates an alert rule that fires, notifies and lands in the history and the event log', async () => {
    const page = await metricsPage();
    await page.getByTestId('metrics-tab-alerts').click();
    await page.getByTestId('empty-state').first().waitFor();
    await page.getByTestId('new-rule').click();
    await page.getByTestId('rule-field-thresholdPct').fill('200');
    await page.getByTestId('save-rule').click();
    // Problems in words, once saving was tried: the name, and the threshold with its unit.
    expect(await page.getByTestId('rule-problems').textContent()).toBe('2 fields need a fix.');
    expect(await page.getByTestId('rule-editor').textContent()).toContain('Above must be at most 100%.');
    await page
      .getByTestId('rule-editor')
      .screenshot({ path: `${process.env.FLIGHTDECK_SCREENSHOTS ?? tmpdir()}/alert-rule-editor.png` });
    await page.getByTestId('rule-name').fill('Orders failing');
    await page.getByTestId('rule-field-thresholdPct').fill('10');
    await page.getByTestId('rule-field-windowMs').fill('60');
    await page.getByTestId('rule-field-minRuns').fill('1');
    // Picked, not typed: workflows seen in metrics are offered (by name once synced).
    await page.getByTestId('rule-workflow').selectOption('wf-orders');
    await page.getByTestId('save-rule').click();
    await expect.poll(() => page.getByTestId('rule-row').textContent()).toContain('error rate > 10%');

    // The core judges a new rule on its next tick (about a second).
    await expect
      .poll(() => page.getByTestId('alert-row').first().getAttribute('data-state'), { timeout: 15_000 })
      .toBe('firing');
    expect(await page.getByTestId('alert-row').first().textContent()).toContain('workflow “wf-orders” on “prod”');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __notes: { title: string }[] }).__notes))
      .toContainEqual(expect.objectContaining({ title: 'Alert: Orders failing' }));

    await page.getByTestId('metrics-tab-events').click();
    await expect.poll(() => page.getByTestId('event-row').first().textContent()).toContain('alert.fired');
    await page.getByTestId('events-severity').selectOption('error');
    await expect.poll(() => page.getByTestId('empty-state').textContent()).toContain('No events match');
  });
});
