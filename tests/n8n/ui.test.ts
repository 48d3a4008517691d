import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from '../e2e/console';
import { createWebhookWorkflow, fireMany, fireWebhook, startN8n, type N8nInstance } from './harness';

// The console in Chromium against a real n8n: connect, sync, see workflows and executions,
// deactivate a workflow (with confirmation) and read per-node run data of a failed run.
describe('console with a real n8n', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: N8nInstance;
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startN8n()]);
    await createWebhookWorkflow(n8n, { path: 'ui-ok', name: 'UI Orders' });
    await createWebhookWorkflow(n8n, { path: 'ui-fail', name: 'UI Broken', fail: true });
    await fireMany(n8n, 'ui-ok', 30, 4);
    expect(await fireWebhook(n8n, 'ui-fail', {})).toBe(500);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.dispose();
  });

  it('connects, syncs, lists workflows and executions, deactivates and shows node data', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-instances').click();
    await page.getByTestId('add-instance').click();
    await page.getByTestId('instance-name').fill('local');
    await page.getByTestId('instance-url').fill(n8n.baseUrl);
    await page.getByTestId('instance-key').fill(n8n.apiKey);
    await page.getByTestId('instance-test').click();
    await expect
      .poll(() => page.getByTestId('instance-test-result').textContent())
      .toContain('Connected to n8n 1.123.81');
    await page.getByTestId('instance-save').click();
    const card = page.getByTestId('instance-local');
    await expect
      .poll(() => card.getByTestId('instance-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('ok');
    expect(await page.content()).not.toContain(n8n.apiKey);

    await page.getByTestId('nav-workflows').click();
    await expect.poll(() => page.getByTestId('workflow-count').textContent()).toBe('2 workflows');
    await page.getByTestId('workflow-search').fill('orders');
    await expect.poll(() => page.getByTestId('workflow-count').textContent()).toBe('1 workflows');
    await page.getByTestId('workflow-row-UI Orders').click();
    const detail = page.getByTestId('workflow-detail');
    await expect.poll(() => detail.getByTestId('workflow-nodes').textContent()).toContain('Webhook');
    await detail.getByTestId('workflow-toggle').click();
    await detail.getByTestId('workflow-toggle-confirm').click();
    await expect.poll(() => detail.getByTestId('detail-state').textContent()).toBe('Inactive');
    expect(await fireWebhook(n8n, 'ui-ok', {})).toBe(404); // n8n really stopped serving it

    await page.getByTestId('nav-executions').click();
    await expect.poll(() => page.getByTestId('execution-row').count()).toBeGreaterThan(10);
    await page.getByTestId('execution-status').selectOption('failed');
    await expect.poll(() => page.getByTestId('execution-row').count()).toBe(1);
    await page.getByTestId('execution-row').click();
    const run = page.getByTestId('execution-detail');
    await expect.poll(() => run.getByTestId('node-Fail').textContent()).toContain('deliberate failure');
    expect(await run.getByTestId('execution-error').textContent()).toContain('deliberate failure');
  });
});
