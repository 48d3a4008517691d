import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../src/main/core/testing/test-core';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from '../e2e/console';
import {
  createWebhookWorkflow,
  fireMany,
  fireWebhook,
  N8N_MAJOR,
  N8N_VERSION,
  sharedN8n,
  webhookServed,
  webhookWorkflow,
  type N8nInstance,
} from './harness';

// The console in Chromium against a real n8n: connect, sync, see workflows and executions,
// deactivate (1.x) or unpublish (2.x) a workflow with confirmation, see a saved draft that is not
// published (2.x), check a draft's node types against the instance, and read per-node run data
// of a failed run.
const two = N8N_MAJOR >= 2;
describe('console with a real n8n', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: N8nInstance;
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), sharedN8n()]);
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
      .poll(() => page.getByTestId('instance-test-result').textContent(), { timeout: 15_000 })
      .toContain(`Connected to n8n ${N8N_VERSION}`);
    await page.getByTestId('instance-save').click();
    const card = page.getByTestId('instance-local');
    await expect
      .poll(() => card.getByTestId('instance-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('ok');
    expect(await page.content()).not.toContain(n8n.apiKey);

    // An edit saved in n8n but not published (2.x; 1.x puts an active workflow's save live).
    const broken = (await callHost<{ workflows: { id: string; name: string }[] }>(app, 'workflows:list', {})).workflows;
    const instanceId = (await callHost<{ instances: { id: string }[] }>(app, 'instances:list', {})).instances[0]!.id;
    const brokenId = broken.find((w) => w.name === 'UI Broken')?.id;
    expect(brokenId).toBeDefined();
    const saved = await fetch(`${n8n.baseUrl}/api/v1/workflows/${brokenId}${two ? '?publishIfActive=false' : ''}`, {
      method: 'PUT',
      headers: { 'X-N8N-API-KEY': n8n.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(webhookWorkflow({ path: 'ui-fail-v2', name: 'UI Broken', fail: true })),
    });
    expect(saved.status).toBe(200);
    await callHost(app, 'instances:syncNow', { id: instanceId });

    await page.getByTestId('nav-workflows').click();
    await expect.poll(() => page.getByTestId('workflow-count').textContent()).toBe('2 workflows');
    const brokenRow = page.getByTestId('workflow-row-UI Broken');
    await expect
      .poll(() => brokenRow.getByTestId('workflow-state').textContent())
      .toBe(two ? 'published draft differs' : 'active');
    await brokenRow.click();
    const brokenDetail = page.getByTestId('workflow-detail');
    if (two) {
      await expect
        .poll(() => brokenDetail.getByTestId('detail-draft-differs').textContent())
        .toMatch(/not published.*\/webhook\/ui-fail-v2/s);
      expect(await brokenDetail.getByTestId('detail-webhooks').textContent()).toContain('/webhook/ui-fail ');
      // Publishing the saved version from the console: it goes live, and the draft no longer differs.
      await brokenDetail.getByTestId('workflow-publish-draft').click();
      await brokenDetail.getByTestId('workflow-publish-draft-confirm').click();
      await expect
        .poll(() => brokenDetail.getByTestId('detail-webhooks').textContent())
        .toContain('/webhook/ui-fail-v2');
      expect(await brokenDetail.getByTestId('detail-draft-differs').count()).toBe(0);
      await expect.poll(() => webhookServed(n8n, 'ui-fail-v2')).toBe(true);
    } else {
      expect(await brokenDetail.getByTestId('detail-webhooks').textContent()).toContain('/webhook/ui-fail-v2');
      expect(await brokenDetail.getByTestId('workflow-publish-draft').count()).toBe(0);
    }

    await page.getByTestId('workflow-search').fill('orders');
    await expect.poll(() => page.getByTestId('workflow-count').textContent()).toBe('1 workflows');
    await page.getByTestId('workflow-row-UI Orders').click();
    const detail = page.getByTestId('workflow-detail');
    await expect.poll(() => detail.getByTestId('workflow-nodes').textContent()).toContain('Webhook');
    expect(await detail.getByTestId('workflow-toggle').textContent()).toBe(two ? 'Unpublish' : 'Deactivate');
    await detail.getByTestId('workflow-toggle').click();
    await detail.getByTestId('workflow-toggle-confirm').click();
    await expect.poll(() => detail.getByTestId('detail-state').textContent()).toBe(two ? 'Unpublished' : 'Inactive');
    await expect.poll(() => webhookServed(n8n, 'ui-ok')).toBe(false);
    expect(await fireWebhook(n8n, 'ui-ok', {})).toBe(404); // n8n really stopped serving it

    // A draft with the Start node n8n 2.0 removed, checked against the instance before a push.
    const dir = tempDir();
    const file = join(dir.path, 'legacy.json');
    const legacy = webhookWorkflow({ path: 'ui-legacy', name: 'UI Legacy' });
    legacy.nodes.push({
      id: 'start-1',
      name: 'Start',
      type: 'n8n-nodes-base.start',
      typeVersion: 1,
      position: [0, 300],
      parameters: {},
    });
    writeFileSync(file, JSON.stringify(legacy));
    await page.getByTestId('nav-drafts').click();
    // The instance is picked by its name, as an operator does (the picker is fed by what is synced).
    const picker = page.getByTestId('d-new-instance-input');
    await picker.fill('local');
    await expect.poll(() => page.getByTestId('d-new-instance-option').count()).toBeGreaterThan(0);
    await picker.press('Enter');
    await page.getByTestId('d-import-file').setInputFiles(file);
    await page.getByTestId('d-editor').waitFor();
    await page.getByTestId('d-preflight-button').click();
    const report = page.getByTestId('d-preflight');
    await expect.poll(() => report.getAttribute('data-ok')).toBe(two ? 'false' : 'true');
    if (two) expect(await report.textContent()).toMatch(/Cannot run Start.*removed in n8n 2\.0/s);
    else expect(await report.textContent()).toContain('every node type is known there');
    dir.remove();

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
