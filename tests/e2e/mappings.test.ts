import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The mapping editor in Chromium against the built host and a loopback fake n8n synced once:
// validation in the operator's words (only once a field is touched), a mapping made with pickers
// only (no id typed), the typo warning before saving, the triage fields, light and dark pictures
// (written to FLIGHTDECK_SCREENSHOTS or the temp folder).

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();

interface Listed {
  id: string;
  name: string;
  event: string;
  webhookPath: string;
  workflowId: string | null;
  approvalTitle: string;
  approvalExpiry: { afterMs: number; action: string } | null;
}

describe('mappings editor in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    n8n.addWorkflow('wfCust0000000001', 'Customer updated', {
      nodes: webhookWorkflow({ path: 'customer-updated' }).nodes,
    });
    n8n.addWorkflow('wfOrders00000001', 'Orders intake', { nodes: webhookWorkflow({ path: 'orders/new' }).nodes });
    n8n.addWorkflow('wfRefund00000001', 'Refunds (draft)', {
      active: false,
      nodes: webhookWorkflow({ path: 'refund-requested' }).nodes,
    });
    const instance = await call<{ id: string }>('instances:add', {
      name: 'prod',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'production',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await call('instances:syncNow', { id: instance.id });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  /** Picks an option by typing a few letters and pressing Enter: the keyboard-only way. */
  async function pick(page: Page, testId: string, text: string) {
    const input = page.getByTestId(`${testId}-input`);
    await input.focus();
    await input.fill(text);
    await expect.poll(() => page.getByTestId(`${testId}-option`).count()).toBeGreaterThan(0);
    await input.press('Enter');
  }

  it('shows errors only once a field is touched, worded for the operator, and previews the request', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-mappings').click();
    await expect.poll(() => page.getByTestId('empty-state').isVisible()).toBe(true);

    await page.keyboard.press('n');
    const editor = page.getByTestId('mapping-editor');
    await editor.waitFor();
    // An untouched form says nothing is wrong yet.
    expect(await editor.locator('.invalid').count()).toBe(0);

    await page.getByTestId('m-event-input').fill('has space');
    await expect.poll(() => editor.textContent()).toMatch(/Event names use letters/);
    await page.getByTestId('m-event-input').fill('order.created');
    // Saving with no instance: the form names what to fix, in words, and saves nothing.
    await page.getByTestId('m-save').click();
    await expect.poll(() => page.getByTestId('m-form-error').textContent()).toMatch(/Choose the n8n instance/);
    expect(await editor.textContent()).not.toMatch(/Too small|expected string|>=1 characters|Invalid input/);
    expect(await call<Listed[]>('mappings:list', {})).toEqual([]);

    await pick(page, 'm-instance', 'prod');
    await page.getByTestId('m-path-input').fill('orders/new');
    await page.getByTestId('m-sample').fill('{"amount": 42}');
    await page.getByTestId('m-preview').click();
    await expect
      .poll(() => page.getByTestId('m-preview-result').textContent())
      .toMatch(
        new RegExp(
          `POST ${n8n.baseUrl.replace(/\./g, '\\.')}/webhook/orders/new.*user-agent: Flightdeck.*x-flightdeck-execution-id: .*\\{"amount":42\\}`,
          's',
        ),
      );

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
    await expect.poll(() => table.textContent()).toMatch(/order\.created.*prod.*orders\/new/s);

    await table.getByText('order.created').first().click();
    await page.getByTestId('m-delete').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('empty-state').isVisible()).toBe(true);
  });

  it('creates a mapping with pickers only: instance, then a live workflow whose webhook path fills itself', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-mappings').click();
    await page.getByTestId('m-new').click();

    await page.getByTestId('m-event-input').fill('customer.updated');
    await pick(page, 'm-instance', 'pro');
    // The workflow list shows each workflow's path and whether it is live, and searches paths too.
    await page.getByTestId('m-workflow-input').focus();
    const list = page.getByTestId('m-workflow-list');
    await expect.poll(() => list.textContent()).toMatch(/Customer updated.*live.*\/webhook\/customer-updated/s);
    await expect.poll(() => list.textContent()).toMatch(/Refunds \(draft\).*inactive/s);
    expect(await list.textContent()).not.toContain('wfCust0000000001');
    await pick(page, 'm-workflow', 'customer-up');
    expect(await page.getByTestId('m-path-input').inputValue()).toBe('customer-updated');
    await expect.poll(() => page.getByTestId('m-route').textContent()).toBe('Runs "Customer updated" on prod.');
    expect(await page.getByTestId('m-route').getAttribute('data-verdict')).toBe('served');

    // Triage fields appear with "Requires approval".
    await page.getByTestId('m-approval').check();
    await page.getByTestId('m-approval-title').fill('Customer {{customer.name}} · {{changes}}');
    await expect.poll(() => page.getByTestId('m-triage').textContent()).toMatch(/Reads as: Customer ‹customer\.name›/);
    await page.getByTestId('m-expiry-hours').fill('4');
    await page.getByTestId('m-expiry-action').selectOption('approve');

    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.screenshot({ path: `${shots}/mapping-editor-light.png`, fullPage: true });
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.getByTestId('m-workflow-input').focus();
    await page.screenshot({ path: `${shots}/mapping-editor-dark.png`, fullPage: true });
    await call('settings:update', { patch: { theme: 'light' } });
    await page.getByTestId('m-event-input').focus();

    await page.getByTestId('m-save').click();
    await expect.poll(() => page.getByTestId('mappings-table').textContent()).toMatch(/customer\.updated/);
    const [saved] = await call<Listed[]>('mappings:list', {});
    expect(saved).toMatchObject({
      event: 'customer.updated',
      webhookPath: 'customer-updated',
      workflowId: 'wfCust0000000001',
      approvalTitle: 'Customer {{customer.name}} · {{changes}}',
      approvalExpiry: { afterMs: 4 * 3_600_000, action: 'approve' },
    });
    await call('mappings:remove', { id: saved!.id });
  });

  it('warns before saving a path no live workflow serves, offers the path meant, and saves only when told', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-mappings').click();
    await page.getByTestId('m-new').click();
    await page.getByTestId('m-event-input').fill('customer.updated');
    await pick(page, 'm-instance', 'prod');
    await page.getByTestId('m-path-input').fill('customer-updatd');
    await expect.poll(() => page.getByTestId('m-route').getAttribute('data-verdict')).toBe('unknown');
    expect(await page.getByTestId('m-route').textContent()).toMatch(
      /No workflow on prod serves "customer-updatd".*404.*Did you mean "customer-updated"/,
    );
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId('m-route').screenshot({ path: `${shots}/mapping-typo-light.png` });

    // Save: a warning first; Cancel saves nothing.
    await page.getByTestId('m-save').click();
    await expect
      .poll(() => page.getByTestId('m-route-warning').textContent())
      .toMatch(/No workflow on prod serves "customer-updatd"/);
    await page.screenshot({ path: `${shots}/mapping-typo-dialog-light.png` });
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await call<Listed[]>('mappings:list', {})).toEqual([]);

    // An inactive workflow's path: a warning too (n8n answers 404 until it is activated).
    await page.getByTestId('m-path-input').fill('refund-requested');
    await expect.poll(() => page.getByTestId('m-route').getAttribute('data-verdict')).toBe('inactive');

    // Back to the typo; the operator may insist (a workflow not synced yet): Save anyway saves it.
    await page.getByTestId('m-path-input').fill('customer-updatd');
    await expect.poll(() => page.getByTestId('m-route').getAttribute('data-verdict')).toBe('unknown');
    await page.getByTestId('m-save').click();
    await page.getByTestId('m-route-warning').waitFor();
    await page.getByTestId('confirm-ok').click();
    await expect
      .poll(async () => (await call<Listed[]>('mappings:list', {})).map((m) => m.webhookPath))
      .toEqual(['customer-updatd']);

    // Editing it: the suggestion fixes the path (and names the workflow) in one click; no warning then.
    await page.getByTestId('mappings-table').getByText('customer.updated').first().click();
    await expect.poll(() => page.getByTestId('m-route').getAttribute('data-verdict')).toBe('unknown');
    await page.getByTestId('m-route-suggestion').first().click();
    await expect.poll(() => page.getByTestId('m-route').getAttribute('data-verdict')).toBe('served');
    await page.getByTestId('m-save').click();
    await expect
      .poll(async () => (await call<Listed[]>('mappings:list', {})).map((m) => [m.webhookPath, m.workflowId]))
      .toEqual([['customer-updated', 'wfCust0000000001']]);
  });

  it('lists mappings in the shared table: sort by header, keyboard to open, column choice remembered', async () => {
    const { instances } = await call<{ instances: { id: string }[] }>('instances:list', {});
    const instanceId = instances[0]!.id;
    for (const [event, name] of [
      ['zeta.event', 'Zeta'],
      ['alpha.event', 'Alpha'],
    ]) {
      await call('mappings:create', { mapping: { event, name, instanceId, webhookPath: 'orders/new' } });
    }
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-mappings').click();
    const rows = page.getByTestId('mappings-table-row');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const firstEvents = async () => (await rows.allTextContents()).map((t) => /[a-z]+\.[a-z]+/.exec(t)?.[0]);

    await page.getByTestId('mappings-table-sort-event').click();
    await expect.poll(async () => (await firstEvents())[0]).toBe('alpha.event');
    await page.getByTestId('mappings-table-sort-event').click();
    await expect.poll(async () => (await firstEvents()).at(-1)).toBe('alpha.event');

    // Keyboard only: focus the grid, move, Enter opens the editor of that row.
    await page.getByTestId('mappings-table-grid').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('mapping-editor').locator('h2').textContent()).toBe('Edit Alpha');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Hide the Webhook column; it stays hidden after a reload.
    await page.getByTestId('mappings-table-columns').click();
    await page.getByLabel('Webhook').uncheck();
    await expect.poll(() => page.getByTestId('mappings-table').textContent()).not.toContain('orders/new');
    await page.reload();
    await page.locator('[data-app-state="ready"]').waitFor();
    await page.getByTestId('nav-mappings').click();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('mappings-table').textContent()).not.toContain('orders/new');
    await page.screenshot({ path: `${shots}/mappings-table-light.png` });
  });

  it('says under the form why the core refused a save, and keeps what was typed', async () => {
    // A second instance, removed behind the console while its mapping is being written.
    const staging = await call<{ id: string }>('instances:add', {
      name: 'staging',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'staging',
      color: '#2f6fed',
      syncEnabled: false,
    });
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-mappings').click();
    await page.getByTestId('m-new').click();
    await page.getByTestId('m-event-input').fill('refused.event');
    await pick(page, 'm-instance', 'stag');
    await page.getByTestId('m-path-input').fill('orders/new');
    await call('instances:remove', { id: staging.id });

    await page.getByTestId('m-save').click();
    // The route check cannot find the instance either: it may ask first; insisting meets the refusal.
    const refusal = page.getByTestId('m-save-error');
    await expect
      .poll(async () => {
        if (await page.getByTestId('m-route-warning').isVisible()) await page.getByTestId('confirm-ok').click();
        return (await refusal.isVisible()) ? refusal.textContent() : null;
      })
      .toMatch(/^Not saved: Unknown instance .*add it under Instances first\.$/);
    expect(await page.getByTestId('m-event-input').inputValue()).toBe('refused.event');
    expect((await call<Listed[]>('mappings:list', {})).map((m) => m.event)).not.toContain('refused.event');
  });
});
