import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { blockingViolations } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// Triage in Chromium against a loopback fake n8n: a gated refund reads by its mapping's title over
// payload fields; the detail names instance, workflow and mapping (links), shows the approver's
// note and the payload as fields, and its related runs are its own lineage. Keyboard only: approve
// with A, then open the run from the lineage with Enter. Pictures in light and dark, axe-checked.

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();

describe('approval triage by name', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    n8n.addWorkflow('wfRefund00000001', 'Refund payout', { nodes: webhookWorkflow({ path: 'refunds' }).nodes });
    const instance = await call<{ id: string }>('instances:add', {
      name: 'prod-eu',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'production',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await call('instances:syncNow', { id: instance.id });
    await call('mappings:create', {
      mapping: {
        event: 'refund.requested',
        name: 'Refunds',
        instanceId: instance.id,
        workflowId: 'wfRefund00000001',
        webhookPath: 'refunds',
        priority: 1,
        requiresApproval: true,
        approvalTitle: 'Refund {{refundId}} · {{amount}} {{currency}} · {{customer.name}}',
        approverNote: 'Over 500 EUR: ask finance first.',
      },
    });
    await call('ingest:emit', {
      event: 'refund.requested',
      payload: { refundId: 'R-1042', amount: 129.5, currency: 'EUR', customer: { name: 'Acme GmbH', tier: 'gold' } },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  it('reads by title and names, approves with the keyboard, and opens the run from its lineage', async () => {
    const page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.getByTestId('nav-approvals').click();
    const row = page.getByTestId('approval-row').first();
    await expect.poll(() => row.textContent()).toMatch(/Refund R-1042 · 129\.5 EUR · Acme GmbH/);
    // Names come with the picker options, which may answer after the inbox.
    await expect.poll(() => row.textContent()).toMatch(/refund\.requested · Refunds on prod-eu/);

    const detail = page.getByTestId('approval-detail');
    await expect.poll(() => page.getByTestId('approval-workflow').textContent()).toBe('Refund payout');
    expect(await page.getByTestId('approval-instance').textContent()).toBe('prod-eu');
    expect(await page.getByTestId('approval-mapping').textContent()).toMatch(/^Refunds · refund\.requested$/);
    expect(await page.getByTestId('approval-mapping').locator('a').getAttribute('href')).toMatch(/^#\/mappings\//);
    expect(await page.getByTestId('approver-note').textContent()).toContain('Over 500 EUR: ask finance first.');
    expect(await page.getByTestId('payload-value').allTextContents()).toEqual([
      'R-1042',
      '129.5',
      'EUR',
      'Acme GmbH',
      'gold',
    ]);
    expect(await page.getByTestId('approval-related-run').allTextContents()).toHaveLength(1);
    // Key hints apart from the label, announced as shortcuts.
    expect(await page.getByTestId('detail-approve').getAttribute('aria-keyshortcuts')).toBe('A');
    expect(await page.getByTestId('detail-approve').textContent()).toBe('Approve A');
    // No raw instance id anywhere in the detail.
    const instanceId = (await call<{ instances: { id: string }[] }>('instances:list', {})).instances[0]!.id;
    expect(await detail.textContent()).not.toContain(instanceId);
    expect(await blockingViolations(page, '[data-testid="approval-detail"]')).toEqual([]);
    await page.screenshot({ path: `${shots}/approval-triage-light.png` });
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await blockingViolations(page, '[data-testid="approval-detail"]')).toEqual([]);
    await page.screenshot({ path: `${shots}/approval-triage-dark.png` });
    await call('settings:update', { patch: { theme: 'light' } });

    // Keyboard only: the lineage link opens the run by its URL (focus, Enter); back returns to the item.
    const link = page.getByTestId('approval-related-run').locator('a');
    await link.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#\/executions\/FD-\d+$/);
    await page.goBack();
    await expect.poll(() => page.getByTestId('approval-workflow').textContent()).toBe('Refund payout');

    // A approves the focused item; the run is dispatched to n8n.
    await page.locator('body').focus();
    await page.keyboard.press('a');
    await expect
      .poll(
        async () =>
          (await call<{ items: { status: string }[] }>('approvals:list', { filter: { status: 'all' } })).items[0]
            ?.status,
      )
      .toBe('approved');
    await expect.poll(() => n8n.state.doorCalls.filter((c) => c.path === '/webhook/refunds').length).toBe(1);

    // Executions, keyboard only: focus the table, Enter opens the run, Tab to Retry, Enter retries.
    await page.getByTestId('nav-executions').click();
    await page.getByTestId('execution-grid').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('execution-detail-title').textContent()).toMatch(/FD-\d+/);
    await expect.poll(() => page.getByTestId('run-retry').isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('run-retry').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => n8n.state.doorCalls.filter((c) => c.path === '/webhook/refunds').length).toBe(2);
    await page.screenshot({ path: `${shots}/executions-table-light.png` });
  });
});
