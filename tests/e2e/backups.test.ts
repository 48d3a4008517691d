import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

/** Makes a draft and a settings change through the UI: the data the backup must carry. */
async function makeLocalData(page: Page) {
  await page.getByTestId('nav-drafts').click();
  await page.getByTestId('d-new-name').fill('Nightly report');
  await page.getByTestId('d-new').click();
  await page.getByTestId('d-editor').waitFor();
  await page.getByTestId('d-back').click();
  await page.getByTestId('d-list').getByText('Nightly report').waitFor();

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('operator-name').fill('Grace');
  await page.getByTestId('save-settings').click();
  await expect.poll(() => page.getByTestId('save-settings').isDisabled()).toBe(true);
}

async function exportAndDownload(page: Page, folder: string, passphrase?: string): Promise<string> {
  await page.getByTestId('nav-backups').click();
  if (passphrase) {
    await page.getByTestId('b-passphrase').fill(passphrase);
    await page.getByTestId('b-passphrase-again').fill(passphrase);
  }
  // Count only once the list has loaded (a table, or the empty state when there is none).
  await page.locator('[data-testid="b-files"], [data-testid="empty-state"]').first().waitFor();
  const before = await page
    .getByTestId('b-files')
    .locator('tbody tr')
    .count()
    .catch(() => 0);
  await page.getByTestId('b-export').click();
  await page.getByTestId('b-export-result').waitFor();
  await expect.poll(() => page.getByTestId('b-files').locator('tbody tr').count()).toBe(before + 1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('b-download-0').click()]);
  const path = join(folder, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

describe('backups in Chromium', () => {
  let browser: Browser;
  let source: ConsoleProcess;
  let fresh: ConsoleProcess;
  const downloads = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-downloads-'));
  beforeAll(async () => {
    [browser, source, fresh] = await Promise.all([launchChromium(), startConsole(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await source?.stop();
    await fresh?.stop();
    rmSync(downloads, { recursive: true, force: true });
  });

  it('exports a backup (download), restores it into a fresh console after a preview, and shows the restored data', async () => {
    const page = await openConsole(browser, source.url);
    await makeLocalData(page);
    const file = await exportAndDownload(page, downloads);
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(text).toContain('Nightly report');
    expect(text.trim().split('\n').at(-1)).toContain('"t":"manifest"');

    const other = await openConsole(browser, fresh.url);
    await other.getByTestId('nav-backups').click();
    await other.getByTestId('empty-state').waitFor();
    await other.getByTestId('b-restore-file').setInputFiles(file);
    await other.getByTestId('b-preview').waitFor();
    expect(await other.getByTestId('b-preview-drafts-add').textContent()).toBe('1');
    expect(Number(await other.getByTestId('b-preview-settings-add').textContent())).toBeGreaterThan(0);
    expect(await other.getByTestId('b-preview-summary').textContent()).toContain('every checksum matches');

    // Nothing changed yet: the fresh console still has no drafts.
    await other.getByTestId('b-restore').click();
    await Promise.all([other.waitForEvent('load'), other.getByTestId('confirm-ok').click()]);
    await other.locator('[data-app-state="ready"]').waitFor();
    await other.getByTestId('nav-drafts').click();
    await other.getByTestId('d-list').getByText('Nightly report').waitFor();
    await other.getByTestId('nav-settings').click();
    await expect.poll(() => other.getByTestId('operator-name').inputValue()).toBe('Grace');
  });

  it('saves an automatic-backup schedule and shows when it runs next', async () => {
    const page = await openConsole(browser, source.url);
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('b-schedule-enabled').check();
    await page.getByTestId('b-schedule-hours').fill('0.1');
    expect(await page.getByTestId('b-schedule-save').isDisabled()).toBe(true);
    await page.getByTestId('b-schedule-hours').fill('6');
    await page.getByTestId('b-schedule-keep').fill('3');
    await page.getByTestId('b-schedule-save').click();
    await expect.poll(() => page.getByTestId('b-schedule-state').textContent()).toContain('Next:');
    await page.reload();
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('nav-backups').click();
    await expect.poll(() => page.getByTestId('b-schedule-keep').inputValue()).toBe('3');
  });

  it('refuses an encrypted backup with the wrong passphrase, then restores it with the right one', async () => {
    const page = await openConsole(browser, source.url);
    const file = await exportAndDownload(page, downloads, 'correct horse battery');

    const other = await openConsole(browser, fresh.url);
    await other.getByTestId('nav-backups').click();
    await other.getByTestId('b-restore-passphrase').fill('wrong passphrase');
    await other.getByTestId('b-restore-file').setInputFiles(file);
    await expect.poll(() => other.getByTestId('b-restore-problem').textContent()).toContain('Wrong passphrase');

    await other.getByTestId('b-restore-passphrase').fill('correct horse battery');
    await other.getByTestId('b-restore-retry').click();
    await other.getByTestId('b-preview').waitFor();
    expect(await other.getByTestId('b-preview-summary').textContent()).toContain('encrypted with secrets');
  });
});
