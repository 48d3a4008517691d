import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../n8n/harness';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The instance form's options for waits: n8n's public webhook URL (validated) and whether waits
// started in n8n join the inbox; both saved, shown again on edit, and changeable.
describe('instance options in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("saves n8n's public webhook URL and the wait inbox option, and turns them off again", async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-instances').click();
    await page.getByTestId('add-instance').click();
    await page.getByTestId('instance-name').fill('prod');
    await page.getByTestId('instance-url').fill(`http://127.0.0.1:${await freePort()}`);
    await page.getByTestId('instance-key').fill('n8n_api_e2e_key_0002');
    await page.getByTestId('instance-public-webhook-url').fill('hooks.example.com');
    expect(await page.getByTestId('instance-save').isDisabled()).toBe(true);
    await page.getByTestId('instance-public-webhook-url').fill('https://hooks.example.com');
    await page.getByTestId('instance-wait-inbox').check();
    await page.getByTestId('instance-wait-workflows').getByText('Every workflow').waitFor();
    await page.getByTestId('instance-save').click();

    const saved = async () =>
      (await callHost<{ instances: Record<string, unknown>[] }>(app, 'instances:list', {})).instances[0];
    await expect.poll(saved).toMatchObject({
      publicWebhookUrl: 'https://hooks.example.com',
      waitInbox: { enabled: true, workflowIds: [] },
    });

    const card = page.getByTestId('instance-prod');
    await card.getByTestId('instance-edit').click();
    expect(await page.getByTestId('instance-public-webhook-url').inputValue()).toBe('https://hooks.example.com');
    expect(await page.getByTestId('instance-wait-inbox').isChecked()).toBe(true);
    await page.getByTestId('instance-public-webhook-url').fill('');
    await page.getByTestId('instance-wait-inbox').uncheck();
    await page.getByTestId('instance-save').click();
    await expect.poll(saved).toMatchObject({ publicWebhookUrl: null, waitInbox: { enabled: false, workflowIds: [] } });
  });
});
