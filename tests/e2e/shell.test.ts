import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

describe('console shell in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('loads, shows every area with an empty state, and navigates by keyboard', async () => {
    const page = await openConsole(browser, app.url);
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('connected');
    // The token left the address bar once it was stored for the tab.
    expect(page.url()).not.toContain('token=');

    for (const area of [
      'instances',
      'workflows',
      'drafts',
      'mappings',
      'executions',
      'queue',
      'approvals',
      'schedules',
      'metrics',
      'backups',
    ]) {
      await page.getByTestId(`nav-${area}`).click();
      await expect.poll(() => page.getByTestId('empty-state').isVisible()).toBe(true);
    }

    // Twelve areas now (queue, then the audit log joined): Alt+9 reaches Metrics, the ninth.
    await page.keyboard.press('Alt+9');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Metrics');
    await page.getByTestId('nav-metrics').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Backups');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit log');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Templates');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Settings');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Instances');
  });

  it('changes a setting, which persists across a reload and reaches other windows', async () => {
    const page = await openConsole(browser, app.url);
    const other = await openConsole(browser, app.url);
    await page.getByTestId('nav-settings').click();
    await other.getByTestId('nav-settings').click();
    expect(await page.getByTestId('data-dir').textContent()).toBe(app.dataDir);

    // A controlled radio: it turns checked when core answers, so click and wait.
    await page.getByTestId('theme-dark').click();
    await expect.poll(() => page.getByTestId('theme-dark').isChecked()).toBe(true);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => other.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');

    await page.getByTestId('retention-days').fill('0');
    expect(await page.getByTestId('save-settings').isDisabled()).toBe(true);
    await page.getByTestId('retention-days').fill('45');
    await page.getByTestId('save-settings').click();
    await expect.poll(() => other.getByTestId('retention-days').inputValue()).toBe('45');

    await page.reload();
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('nav-settings').click();
    expect(await page.getByTestId('retention-days').inputValue()).toBe('45');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  });
});

describe('startup errors in Chromium', () => {
  it('shows a readable error instead of crashing when the database is newer than the code', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const Database = (await import('better-sqlite3')).default;
    const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-newer-'));
    const db = new Database(join(dataDir, 'flightdeck.sqlite'));
    db.exec(`CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at_ms INTEGER NOT NULL) STRICT;
             INSERT INTO _migrations VALUES (999, 'from_the_future', 'x', 0);`);
    db.close();

    const [browser, app] = await Promise.all([launchChromium(), startConsole({ dataDir })]);
    try {
      const page = await browser.newPage();
      await page.goto(app.url);
      await page.locator('[data-app-state="startup-error"]').waitFor();
      expect(await page.getByTestId('startup-error').textContent()).toMatch(/NEWER_SCHEMA.*schema version 999/s);
    } finally {
      await browser.close();
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
