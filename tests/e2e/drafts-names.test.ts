import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// Drafts against a loopback fake n8n synced once: a workflow cloned with pickers only (no id typed),
// then changed on both sides: the conflict dialog shows the values side by side (mine / theirs)
// per node and parameter. Light and dark pictures go to FLIGHTDECK_SCREENSHOTS or the temp folder.

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();

describe('drafts by name, and the conflict in values', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    n8n.addWorkflow('wfOrders00000001', 'Orders intake', { nodes: webhookWorkflow({ path: 'orders' }).nodes });
    n8n.addWorkflow('wfOther000000001', 'Nightly report', { nodes: webhookWorkflow({ path: 'report' }).nodes });
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

  async function pick(page: Page, testId: string, text: string) {
    const input = page.getByTestId(`${testId}-input`);
    await input.focus();
    await input.fill(text);
    await expect.poll(() => page.getByTestId(`${testId}-option`).count()).toBeGreaterThan(0);
    await input.press('Enter');
  }

  it('clones with pickers, and shows a push conflict as values side by side', async () => {
    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-drafts').click();
    await pick(page, 'd-new-instance', 'prod');
    await pick(page, 'd-clone-id', 'orders');
    await page.getByTestId('d-clone').click();
    await page.getByTestId('d-editor').waitFor();
    expect(await page.getByTestId('d-editor').textContent()).toMatch(/“Orders intake” on prod/);
    expect(await page.getByTestId('d-instance-input').inputValue()).toBe('prod');

    // Both sides change the Webhook's path: someone in n8n's editor, and this draft.
    const [draft] = await call<{ id: string; workflow: { nodes: { name: string; parameters: object }[] } }[]>(
      'drafts:list',
      {},
    );
    n8n.editWorkflow('wfOrders00000001', (wf) => {
      const hook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
      if (hook) hook.parameters = { ...hook.parameters, path: 'orders-theirs' };
    });
    const workflow = structuredClone(draft!.workflow);
    const hook = workflow.nodes.find((n) => n.name === 'Webhook')!;
    hook.parameters = { ...hook.parameters, path: 'orders-mine' };
    await call('drafts:update', { id: draft!.id, workflow });
    await page.getByTestId('d-back').click();
    await page.getByTestId('d-list').getByText('Orders intake').click();
    await page.getByTestId('d-push').click();

    const diff = page.getByTestId('d-conflict-diff');
    await diff.waitFor();
    const rows = await page.getByTestId('d-conflict-row').allTextContents();
    expect(rows).toContain('Parameter pathorders-mineorders-theirs');
    expect(await diff.textContent()).toMatch(/Node “Webhook”/);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId('d-conflict').screenshot({ path: `${shots}/draft-conflict-light.png` });
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.getByTestId('d-conflict').screenshot({ path: `${shots}/draft-conflict-dark.png` });
    await call('settings:update', { patch: { theme: 'light' } });
  });
});
