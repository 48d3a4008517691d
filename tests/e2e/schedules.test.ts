import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

describe('schedules in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('creates a schedule with a live preview, shows its ledger, pauses it with a note', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-schedules').click();
    await expect.poll(() => page.getByTestId('empty-state').textContent()).toContain('No schedules yet');

    await page.getByTestId('schedule-new').click();
    await page.getByTestId('schedule-name').fill('Every second');
    await page.getByTestId('schedule-event').fill('heartbeat.tick');
    await page.getByTestId('schedule-timeZone').fill('Europe/Berlin');

    // A bad expression: the preview says what is wrong, naming the field.
    await page.getByTestId('schedule-expression').fill('0 25 * * *');
    await expect
      .poll(() => page.getByTestId('schedule-preview-error').textContent())
      .toMatch(/timing\.expression: Invalid cron expression "0 25 \* \* \*"/);

    await page.getByTestId('schedule-expression').fill('* * * * * *');
    await expect.poll(() => page.getByTestId('schedule-preview-run').count()).toBe(10);
    await page.getByTestId('schedule-save').click();

    await expect.poll(() => page.getByTestId('schedule-row').count()).toBe(1);
    expect(await page.getByTestId('schedule-status').textContent()).toBe('active');

    // Until the dispatch pipeline is wired, each tick is recorded as failed, with the reason.
    // A click on the row (or Enter on it) opens its ledger beside the table.
    await page.getByTestId('schedule-row').getByText('Every second').click();
    await expect.poll(() => page.getByTestId('ledger-upcoming').count()).toBe(10);
    await expect.poll(() => page.getByTestId('ledger-tick').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('ledger-tick').first().textContent()).toContain('could not be enqueued');

    await page.getByTestId('schedule-pause').click();
    await page.getByTestId('schedule-note').fill('maintenance window');
    await page.getByTestId('schedule-confirm-yes').click();
    await expect.poll(() => page.getByTestId('schedule-status').textContent()).toBe('paused');
    await expect.poll(() => page.getByTestId('schedules-table').textContent()).toContain('maintenance window');
    await expect.poll(() => page.getByTestId('ledger-upcoming').count()).toBe(0);

    await page.getByTestId('schedule-filter').fill('no such schedule');
    await expect.poll(() => page.getByTestId('schedule-row').count()).toBe(0);
    await page.getByTestId('schedule-filter').fill('paused');
    await expect.poll(() => page.getByTestId('schedule-row').count()).toBe(1);
    await page.getByTestId('schedule-filter').fill('');

    // Bulk resume asks first.
    await page.getByLabel('Select Every second').check();
    await page.getByTestId('bulk-resume').click();
    await expect.poll(() => page.getByTestId('schedule-confirm').isVisible()).toBe(true);
    await page.getByTestId('schedule-confirm-yes').click();
    await expect.poll(() => page.getByTestId('schedule-status').textContent()).toBe('active');
  });
});
