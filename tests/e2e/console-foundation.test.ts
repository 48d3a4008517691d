import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

/**
 * The console's foundation in Chromium: routes (back/forward, deep links), an area's failure kept
 * inside its boundary, toasts that clear with their cause, and the time-zone edit that once
 * blanked the whole console.
 */
describe('console foundation in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  let instanceId: string;
  const errors: string[] = [];
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).first().textContent();
  const base = () => app.url.replace(/#.*$/, '');

  async function open(): Promise<Page> {
    const page = await openConsole(browser, app.url);
    page.on('pageerror', (error) => errors.push(error.message));
    return page;
  }

  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    n8n.addWorkflow('wfOrders000000001', 'Orders', { active: false, path: 'orders' });
    const instance = await call<{ id: string }>('instances:add', {
      name: 'prod',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    instanceId = instance.id;
    await call('instances:syncNow', { id: instanceId });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  it('survives a time zone cleared and typed key by key, previewing only zones Intl knows', async () => {
    const page = await open();
    await page.getByTestId('nav-schedules').click();
    await page.getByTestId('schedule-new').click();
    const zone = page.getByTestId('schedule-timeZone');
    await zone.fill('');
    await expect.poll(() => page.getByTestId('schedule-zone-unknown').textContent()).toContain('Enter a time zone');
    expect(await page.getByTestId('schedule-save').isDisabled()).toBe(true);
    await zone.pressSequentially('Asia/Tokyo');
    await expect.poll(() => page.getByTestId('schedule-preview-run').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('schedule-preview-run').first().textContent()).toMatch(/GMT\+9|JST/);
    await zone.press('Backspace');
    await expect.poll(() => page.getByTestId('schedule-zone-unknown').textContent()).toContain('“Asia/Toky”');
    // The console is still there: navigation, the editor, no boundary caught anything.
    expect(await page.getByTestId('area-error').count()).toBe(0);
    expect(await heading(page)).toBe('Schedules');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('gives every area and item a URL: back and forward, deep links to a workflow and a ledger', async () => {
    const page = await open();
    await page.getByTestId('nav-workflows').click();
    await page.getByTestId('workflow-row-Orders').click();
    await expect.poll(() => page.getByTestId('workflow-detail').isVisible()).toBe(true);
    expect(new URL(page.url()).hash).toBe(`#/workflows/${instanceId}/wfOrders000000001`);
    expect(await page.getByTestId('open-in-n8n').getAttribute('href')).toBe(
      `${n8n.baseUrl}/workflow/wfOrders000000001`,
    );
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => heading(page)).toBe('Settings');

    await page.goBack();
    await expect.poll(() => page.getByTestId('workflow-detail').isVisible()).toBe(true);
    await page.goBack();
    await expect.poll(() => page.getByTestId('workflow-detail').count()).toBe(0);
    expect(await heading(page)).toBe('Workflows');
    await page.goForward();
    await expect.poll(() => page.getByTestId('workflow-detail').isVisible()).toBe(true);

    // A link opened in a fresh tab (token after the route) lands on the item, and the token leaves the bar.
    const schedule = await call<{ id: number }>('schedules:create', {
      draft: {
        name: 'Nightly report',
        event: 'report.nightly',
        payload: {},
        timing: { kind: 'cron', expression: '0 3 * * *', timeZone: 'UTC' },
      },
    });
    const token = new URL(app.url.replace('#token=', '?token=')).searchParams.get('token');
    const tab = await browser.newPage();
    await tab.goto(`${base()}#/schedules/${schedule.id}?token=${token}`);
    await tab.locator('[data-app-state="ready"]').waitFor();
    await expect.poll(() => tab.getByTestId('schedule-ledger').isVisible()).toBe(true);
    expect(new URL(tab.url()).hash).toBe(`#/schedules/${schedule.id}`);
    await tab.goto(`${base()}#/workflows/${instanceId}/wfOrders000000001`);
    await expect.poll(() => tab.getByTestId('workflow-detail').isVisible()).toBe(true);
    await tab.goto(`${base()}#/instances/${instanceId}`);
    await expect.poll(() => tab.getByTestId('instance-prod').getAttribute('aria-current')).toBe('true');
    // Alt+0 is Settings, wherever it sits in the list.
    await tab.keyboard.press('Alt+0');
    await expect.poll(() => heading(tab)).toBe('Settings');
    expect(new URL(tab.url()).hash).toBe('#/settings');
    await tab.close();
    await page.close();
  });

  it('opens an approval from its link (#/approvals/<id>)', async () => {
    for (const [name, amount] of [
      ['Refund A', 10],
      ['Refund B', 20],
    ] as const) {
      const event = `refund.${amount}`;
      await call('mappings:create', {
        mapping: { event, name, instanceId, webhookPath: 'orders', requiresApproval: true },
      });
      await call('ingest:emit', { event, payload: { amount } });
    }
    const { items } = await call<{ items: { id: number; summary: string }[] }>('approvals:list', {});
    expect(items.length).toBeGreaterThanOrEqual(2);
    const page = await open();
    for (const item of items) {
      await page.goto(`${base()}#/approvals/${item.id}`);
      await expect.poll(() => page.getByTestId('approval-detail').textContent()).toContain(item.summary);
    }
    await page.close();
  });

  it('keeps a crashing area inside its boundary; the rest works and the area reloads', async () => {
    const page = await open();
    await page.evaluate(() => sessionStorage.setItem('flightdeck.test.crashArea', 'schedules'));
    await page.getByTestId('nav-schedules').click();
    await expect.poll(() => page.getByTestId('area-error').isVisible()).toBe(true);
    expect(await page.getByTestId('area-error').textContent()).toContain('Schedules stopped working');
    // Navigation and other areas still work.
    await page.getByTestId('nav-instances').click();
    await expect.poll(() => page.getByTestId('instance-prod').isVisible()).toBe(true);
    await page.evaluate(() => sessionStorage.removeItem('flightdeck.test.crashArea'));
    await page.getByTestId('nav-schedules').click();
    await expect.poll(() => page.getByTestId('schedules-table').isVisible()).toBe(true);
    // "Reload this area" brings it back in place.
    await page.evaluate(() => sessionStorage.setItem('flightdeck.test.crashArea', 'schedules'));
    await page.getByTestId('nav-instances').click();
    await page.getByTestId('nav-schedules').click();
    await expect.poll(() => page.getByTestId('area-error').isVisible()).toBe(true);
    await page.evaluate(() => sessionStorage.removeItem('flightdeck.test.crashArea'));
    await page.getByTestId('area-reload').click();
    await expect.poll(() => page.getByTestId('schedules-table').isVisible()).toBe(true);
    await page.close();
  });

  it('clears N8N_UNREACHABLE when n8n answers again, and an n8n NOT_FOUND when the operator leaves', async () => {
    const page = await open();
    await page.goto(`${base()}#/workflows/${instanceId}/wfOrders000000001`);
    await expect.poll(() => page.getByTestId('workflow-detail').isVisible()).toBe(true);

    await n8n.stop();
    await page.getByTestId('workflow-toggle').click();
    await page.getByTestId('workflow-toggle-confirm').click();
    const unreachable = page.locator('[data-testid="toast"][data-code="N8N_UNREACHABLE"]');
    await expect.poll(() => unreachable.count()).toBe(1);
    expect(await unreachable.getAttribute('data-clears')).toBe('instance');
    expect(await unreachable.locator('time').textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    await n8n.start();
    await expect.poll(() => unreachable.count(), { timeout: 30_000 }).toBe(0);

    // n8n lost the workflow: its 404 belongs to this page, not to the next.
    n8n.state.workflows = n8n.state.workflows.filter((w) => w.id !== 'wfOrders000000001');
    await page.getByTestId('workflow-toggle').click();
    await page.getByTestId('workflow-toggle-confirm').click();
    const notFound = page.locator('[data-testid="toast"][data-clears="area"]');
    await expect.poll(() => notFound.count()).toBe(1);
    await page.getByTestId('nav-schedules').click();
    await expect.poll(() => notFound.count()).toBe(0);
    await page.close();
  });

  it('jumps anywhere from the palette, by keyboard only', async () => {
    const page = await open();
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.getByTestId('palette').isVisible()).toBe(true);
    // An area by name.
    await page.keyboard.type('sched');
    await expect.poll(() => page.getByTestId('palette-option').first().textContent()).toContain('Schedules');
    await page.keyboard.press('Enter');
    await expect.poll(() => heading(page)).toBe('Schedules');
    expect(await page.getByTestId('palette').count()).toBe(0);
    // A workflow by a word of its name and its instance, chosen with the arrows.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('orders prod');
    await expect.poll(() => page.locator('[data-testid="palette-option"][data-group="Workflow"]').count()).toBe(1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('workflow-detail').isVisible()).toBe(true);
    expect(new URL(page.url()).hash).toBe(`#/workflows/${instanceId}/wfOrders000000001`);
    // A run by its number (the executions' own search).
    await call('mappings:create', {
      mapping: { name: 'Orders placed', event: 'order.placed', instanceId, webhookPath: 'orders' },
    });
    const queued = await call<{ executionIds: number[] }>('ingest:emit', { event: 'order.placed', payload: { n: 1 } });
    const run = queued.executionIds[0];
    expect(run).toBeGreaterThan(0);
    await page.keyboard.press('Control+k');
    await page.keyboard.type(`FD-${run}`);
    await expect.poll(() => page.locator('[data-group="Run"]').count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/executions/FD-${run}`);
    // The route opens the run's detail; Back closes it again.
    await expect
      .poll(() => page.getByTestId('execution-detail').getByTestId('execution-detail-number').textContent())
      .toBe(`FD-${run}`);
    await page.goBack();
    await expect.poll(() => page.getByTestId('execution-detail').count()).toBe(0);
    await page.goForward();
    await expect.poll(() => page.getByTestId('execution-detail').count()).toBe(1);
    // A mapping by name.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('orders placed');
    await expect.poll(() => page.locator('[data-group="Mapping"]').count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/mappings\/.+/);
    // The route opens that mapping's editor; an unknown id says so instead of offering a new mapping.
    await expect.poll(() => page.getByTestId('m-event-input').inputValue()).toBe('order.placed');
    await page.goto(`${base()}#/mappings/no-such-mapping`);
    await expect.poll(() => page.getByTestId('empty-state').textContent()).toContain('No such mapping');
    // Escape closes without going anywhere; an action runs.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('dark theme');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await call('settings:update', { patch: { theme: 'light' } });
    const before = page.url();
    await page.keyboard.press('Control+k');
    await page.keyboard.type('settings');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('palette').count()).toBe(0);
    expect(page.url()).toBe(before);
    await page.close();
  });

  it('has the audit log as its own area, with every recorded action in its filter', async () => {
    await call('schedules:create', {
      draft: {
        name: 'Audited',
        event: 'report.audited',
        payload: {},
        timing: { kind: 'interval', everyMs: 3_600_000, timeZone: 'UTC' },
      },
    });
    await call('settings:update', { patch: { theme: 'light' } });
    const page = await open();
    await page.goto(`${base()}#/audit`);
    await expect.poll(() => heading(page)).toBe('Audit log');
    const actions = () =>
      page
        .getByTestId('audit-action-filter')
        .locator('option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    await expect.poll(actions).toEqual(expect.arrayContaining(['instance.add', 'schedule.create', 'settings.update']));
    await page.getByTestId('audit-action-filter').selectOption('schedule.create');
    await expect
      .poll(() => page.getByTestId('audit-target').allTextContents())
      .toSatisfy((targets: string[]) => targets.length > 0 && targets.every((t) => t.startsWith('schedule')));
    await page.getByTestId('audit-verify').click();
    await expect.poll(() => page.getByTestId('audit-verify-result').textContent()).toContain('intact');
    await page.close();
  });
});
