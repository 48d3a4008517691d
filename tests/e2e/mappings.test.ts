import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

describe('mappings editor in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startConsole()]);
    await callHost(app, 'instances:add', {
      name: 'staging',
      baseUrl: 'http://127.0.0.1:5999',
      apiKey: 'e2e-key-123456',
      environment: 'staging',
      color: '#2f6fed',
      syncEnabled: false,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('creates a mapping with validation as you type, previews the request and deletes it after confirming', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-mappings').click();
    await expect.poll(() => page.getByTestId('empty-state').isVisible()).toBe(true);

    await page.keyboard.press('n');
    await page.getByTestId('m-event').fill('has space');
    await expect.poll(() => page.getByTestId('mapping-editor').textContent()).toMatch(/Event names use letters/);
    expect(await page.getByTestId('m-save').isDisabled()).toBe(true);

    await page.getByTestId('m-event').fill('order.created');
    await page.getByTestId('m-instance').selectOption({ label: 'staging (staging)' });
    await page.getByTestId('m-path').fill('orders/new');
    await page.getByTestId('m-sample').fill('{"amount": 42}');
    await page.getByTestId('m-preview').click();
    await expect
      .poll(() => page.getByTestId('m-preview-result').textContent())
      // The dispatcher's own request: every header it sends, and the body's exact bytes.
      .toMatch(
        /POST http:\/\/127\.0\.0\.1:5999\/webhook\/orders\/new.*user-agent: Flightdeck.*x-flightdeck-execution-id: .*\{"amount":42\}/s,
      );

    // A condition that the sample does not meet: the preview says it would be skipped.
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Payload path').fill('amount');
    await page.getByLabel('Operator').selectOption('gt');
    await page.getByLabel('Value (JSON or text)').fill('100');
    await page.getByTestId('m-preview').click();
    await expect
      .poll(() => page.getByTestId('m-preview-result').textContent())
      .toMatch(/would be skipped.*amount gt 100/s);

    await page.getByTestId('m-save').click();
    const table = page.getByTestId('mappings-table');
    await expect.poll(() => table.textContent()).toMatch(/order\.created.*staging.*orders\/new/s);

    await table.getByText('order.created').first().click();
    await page.getByTestId('m-delete').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('empty-state').isVisible()).toBe(true);
  });
});
