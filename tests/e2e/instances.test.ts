import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../n8n/harness';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The Instances page against an address where nothing listens (the live suite covers a real n8n):
// validation, the offline badge with its reason, the sync log, edit, and remove with confirmation.
describe('instances page in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('adds an unreachable instance, shows it offline, edits it and removes it after confirmation', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-instances').click();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('add-instance').click();

    await page.getByTestId('instance-name').fill('staging');
    await page.getByTestId('instance-url').fill('not a url');
    await page.getByTestId('instance-key').fill('n8n_api_e2e_key_0001');
    expect(await page.getByTestId('instance-save').isDisabled()).toBe(true);
    const port = await freePort();
    await page.getByTestId('instance-url').fill(`http://127.0.0.1:${port}`);
    await page.getByTestId('instance-test').click();
    await expect.poll(() => page.getByTestId('instance-test-result').textContent()).toContain('nothing is listening');
    await page.getByTestId('instance-save').click();

    const card = page.getByTestId('instance-staging');
    await expect
      .poll(() => card.getByTestId('instance-state').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('offline');
    expect(await card.getByTestId('instance-error').textContent()).toContain('N8N_UNREACHABLE');
    expect(await page.content()).not.toContain('n8n_api_e2e_key_0001');
    expect(await card.textContent()).toContain('…0001');

    await card.getByTestId('instance-log-toggle').click();
    await expect.poll(() => card.getByTestId('sync-log').textContent()).toContain('failed (N8N_UNREACHABLE)');

    await card.getByTestId('instance-edit').click();
    await page.getByTestId('instance-env').fill('staging-eu');
    await page.getByTestId('instance-save').click();
    await expect.poll(() => card.textContent()).toContain('staging-eu');

    await card.getByTestId('instance-remove').click();
    await card.getByTestId('instance-remove-cancel').click();
    expect(await card.isVisible()).toBe(true);
    await card.getByTestId('instance-remove').click();
    await card.getByTestId('instance-remove-confirm').click();
    await page.getByTestId('empty-state').waitFor();
  });
});
