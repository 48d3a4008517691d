import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n, type FakeNode } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { axeViolations } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The Promote screen (#/workflows/promote) against two loopback fakes: dev (1.123) and prod
// (2.41.1). FLIGHTDECK_PROMOTE_SHOTS=<folder> also writes promote-<theme>.png of the plan there.
const SHOTS = process.env.FLIGHTDECK_PROMOTE_SHOTS;

/** An HTTP Request node that authenticates with a header credential. */
const callsAcme = (cred: { id: string; name: string }): FakeNode => ({
  id: 'http',
  name: 'Call Acme',
  type: 'n8n-nodes-base.httpRequest',
  typeVersion: 4.2,
  position: [440, 0],
  parameters: { url: 'http://127.0.0.1:9/acme', authentication: 'genericCredentialType' },
  credentials: { httpHeaderAuth: cred },
});

describe('the Promote screen in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let dev: FakeN8n;
  let prod: FakeN8n;
  beforeAll(async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    [browser, app, dev, prod] = await Promise.all([
      launchChromium(),
      startConsole(),
      startFakeN8n(),
      startFakeN8n({ version: '2.41.1' }),
    ]);
    const devAcme = dev.addCredential('Acme API', 'httpHeaderAuth');
    prod.addCredential('Acme API', 'httpHeaderAuth');
    const devDb = dev.addCredential('Reporting DB', 'postgres');
    const base = (path: string) => webhookWorkflow({ path }).nodes as FakeNode[];
    dev.addWorkflow('wfOrders', 'Orders → CRM', { nodes: [...base('orders'), callsAcme(devAcme)] });
    dev.addWorkflow('wfInvoice', 'Invoice mailer', { nodes: base('invoices-v2') });
    dev.addWorkflow('wfSame', 'Manager sign-off', { nodes: base('signoff') });
    dev.addWorkflow('wfReport', 'Nightly report', {
      active: false,
      nodes: [
        ...base('nightly-report'),
        {
          id: 'pg',
          name: 'Load sales',
          type: 'n8n-nodes-base.postgres',
          typeVersion: 2.5,
          position: [440, 0],
          parameters: { operation: 'executeQuery', query: 'select 1' },
          credentials: { postgres: { id: devDb.id, name: 'Reporting DB' } },
        },
      ],
    });
    dev.addWorkflow('wfApi', 'API caller', {
      nodes: [
        ...base('api-caller'),
        {
          id: 'api',
          name: 'Call API',
          type: 'n8n-nodes-base.httpRequest',
          typeVersion: 4.2,
          position: [440, 0],
          parameters: { url: 'https://dev.example.test/v1/orders' },
        },
      ],
    });
    prod.addWorkflow('pInvoice', 'Invoice mailer', { nodes: base('invoices') });
    prod.addWorkflow('pSame', 'Manager sign-off', { nodes: base('signoff') });
    prod.addWorkflow('pLegacy', 'Legacy export', { active: false, nodes: base('legacy') });
    for (const [name, n8n] of [
      ['dev', dev],
      ['prod', prod],
    ] as const) {
      const { id } = await callHost<{ id: string }>(app, 'instances:add', {
        name,
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment: name,
        color: name === 'dev' ? '#3aa675' : '#d9485f',
        syncEnabled: false,
      });
      await callHost(app, 'instances:syncNow', { id });
    }
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await dev?.close();
    await prod?.close();
  });

  async function planned(page: Page, names: string[]): Promise<void> {
    await page.getByTestId('nav-workflows').click();
    await page.getByTestId('workflow-table').waitFor();
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'promote-entry-light.png') });
    await page.getByTestId('open-promote').click();
    await page.getByTestId('promote-page').waitFor();
    await page.getByTestId('promote-source').selectOption({ label: 'dev' });
    await page.getByTestId('promote-target').selectOption({ label: 'prod' });
    for (const name of names) await page.getByTestId(`promote-pick-${name}`).check();
    await page.getByTestId('promote-plan').click();
    await page.getByTestId('promote-plan-result').waitFor();
  }

  it('plans with the diff and credential mapping, refuses a missing credential, promotes and rolls back', async () => {
    const page = await openConsole(browser, app.url);
    await planned(page, ['Orders → CRM', 'Invoice mailer', 'Manager sign-off', 'Nightly report']);
    const status = (name: string) =>
      page.getByTestId(`promote-item-${name}`).getByTestId('promote-item-status').getAttribute('data-status');
    expect(await status('Orders → CRM')).toBe('new');
    expect(await status('Invoice mailer')).toBe('changed');
    expect(await status('Manager sign-off')).toBe('unchanged');
    expect(
      await page.getByTestId('promote-item-Orders → CRM').getByTestId('promote-credential').getAttribute('data-status'),
    ).toBe('mapped');
    expect(await page.getByTestId('promote-item-Nightly report').getByTestId('promote-refusals').textContent()).toMatch(
      /credential "Reporting DB" \(postgres\), which the target does not have/,
    );
    expect(await page.getByTestId('promote-target-only').textContent()).toContain('Legacy export');
    expect(await page.getByTestId('promote-credentials').locator('summary').textContent()).toMatch(
      /Credentials: 2 on dev, 1 on prod/,
    );
    expect(await page.getByTestId('promote-go').isDisabled()).toBe(true);
    expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.setViewportSize({ width: 1400, height: 900 });
      for (const theme of ['light', 'dark'] as const) {
        await callHost(app, 'settings:update', { patch: { theme } });
        await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SHOTS, `promote-${theme}.png`), fullPage: true });
      }
      await callHost(app, 'settings:update', { patch: { theme: 'light' } });
    }

    // Without the refused workflow: promote, made live.
    await page.getByTestId('promote-pick-Nightly report').uncheck();
    await page.getByTestId('promote-plan').click();
    await expect.poll(() => page.getByTestId('promote-plan-verdict').getAttribute('data-status')).toBe('ok');
    await page.getByTestId('promote-activation-active').check();
    await page.getByTestId('promote-go').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('promote-record').waitFor();
    expect(await page.getByTestId('promote-record-status').getAttribute('data-status')).toBe('done');
    expect(prod.state.workflows.find((w) => w.name === 'Orders → CRM')?.active).toBe(true);
    expect(prod.state.workflows.find((w) => w.id === 'pInvoice')?.nodes[0]?.parameters?.path).toBe('invoices-v2');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'promote-record-light.png'), fullPage: true });

    // Someone edits the invoice mailer on prod: the rollback refuses, then overwrites when asked.
    prod.editWorkflow('pInvoice', (wf) => (wf.name = 'Invoice mailer'));
    await page.getByTestId('promote-record').getByRole('button', { name: 'Roll back' }).click();
    await expect
      .poll(() => page.getByTestId('promote-rollback-error').textContent())
      .toMatch(/"Invoice mailer" was changed on the target/);
    await page.getByTestId('promote-record').getByRole('button', { name: 'Roll back anyway' }).click();
    await expect.poll(() => page.getByTestId('promote-record-status').getAttribute('data-status')).toBe('rolled-back');
    expect(prod.state.workflows.some((w) => w.name === 'Orders → CRM')).toBe(false);
    expect(prod.state.workflows.find((w) => w.id === 'pInvoice')?.nodes[0]?.parameters?.path).toBe('invoices');
    expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
    await page.close();
  });

  it('rewrites per-instance variables in the plan, refusing until the target has them', async () => {
    const page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId('nav-workflows').click();
    await page.getByTestId('workflow-table').waitFor();
    await page.getByTestId('open-promote').click();
    await page.getByTestId('promote-source').selectOption({ label: 'dev' });
    await page.getByTestId('promote-target').selectOption({ label: 'prod' });
    await page.getByTestId('promote-variables').locator('summary').click();
    const setVariable = async (instance: string, name: string, value: string) => {
      const editor = page.getByTestId(`promote-variables-${instance}`);
      await editor.getByRole('button', { name: 'Add variable' }).click();
      await editor.getByTestId('variable-name').last().fill(name);
      await editor.getByTestId('variable-value').last().fill(value);
      await editor.getByTestId('variables-save').click();
      await expect.poll(() => editor.getByTestId('variables-save').isDisabled()).toBe(true);
    };
    await setVariable('dev', 'API_BASE', 'https://dev.example.test');
    // A bad name is said at once and cannot be saved.
    const prodEditor = page.getByTestId('promote-variables-prod');
    await prodEditor.getByRole('button', { name: 'Add variable' }).click();
    await prodEditor.getByTestId('variable-name').last().fill('9LIVES');
    await prodEditor.getByTestId('variable-value').last().fill('x');
    expect(await prodEditor.textContent()).toMatch(/Name: A–Z, 0–9 and _, starting with a letter/);
    expect(await prodEditor.getByTestId('variables-save').isDisabled()).toBe(true);
    await prodEditor
      .getByRole('button', { name: /^Remove/ })
      .last()
      .click();

    await page.getByTestId('promote-pick-API caller').check();
    await page.getByTestId('promote-plan').click();
    await expect.poll(() => page.getByTestId('promote-plan-verdict').getAttribute('data-status')).toBe('refused');
    expect(await page.getByTestId('promote-item-API caller').getByTestId('promote-refusals').textContent()).toMatch(
      /set API_BASE on prod first/,
    );

    await setVariable('prod', 'API_BASE', 'https://api.example.test');
    // Saving variables makes the plan stale: planned again.
    await page.getByTestId('promote-plan-result').waitFor({ state: 'detached' });
    await page.getByTestId('promote-plan').click();
    await expect.poll(() => page.getByTestId('promote-plan-verdict').getAttribute('data-status')).toBe('ok');
    expect(await page.getByTestId('promote-item-API caller').getByTestId('promote-rewrite').textContent()).toBe(
      'API_BASE: https://dev.example.test → https://api.example.test',
    );
    expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
    if (SHOTS)
      for (const theme of ['light', 'dark'] as const) {
        await callHost(app, 'settings:update', { patch: { theme } });
        await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
        await page.screenshot({ path: join(SHOTS, `promote-variables-${theme}.png`), fullPage: true });
      }
    await page.getByTestId('promote-go').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('promote-record').waitFor();
    const written = prod.state.workflows.find((w) => w.name === 'API caller');
    expect(written?.nodes.find((n) => n.name === 'Call API')?.parameters).toEqual({
      url: 'https://api.example.test/v1/orders',
    });
    await page.close();
  });
});
