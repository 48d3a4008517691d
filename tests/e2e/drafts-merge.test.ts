import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { axeViolations } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The three-way merge and the local history in the console, against the loopback fake n8n moved
// behind the draft's back: non-overlapping changes (an assignment added on each side) merge by
// themselves from "Update from n8n"; an overlapping change (the Webhook's path on both sides) is
// resolved in the merge view with an edited value, then pushed; the history lists every step,
// compares two versions and rolls back. Pictures of both views in both themes go to
// FLIGHTDECK_SCREENSHOTS or the temp folder.

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();
const WF = 'wfMerge000000001';

interface Node {
  name: string;
  parameters: Record<string, unknown> & { assignments?: { assignments: { id: string; name: string }[] } };
}
interface DraftLite {
  id: string;
  workflow: { name: string; nodes: Node[]; connections: object; settings: object };
}

describe('drafts: merge view and history', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  let page: Page;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    n8n.addWorkflow(WF, 'Orders merge', { nodes: webhookWorkflow({ path: 'orders' }).nodes });
    const instance = await call<{ id: string }>('instances:add', {
      name: 'prod',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'production',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await call('instances:syncNow', { id: instance.id });
    await call('drafts:clone', { instanceId: instance.id, workflowId: WF, version: 'draft' });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  const draft = async () => (await call<DraftLite[]>('drafts:list', {}))[0]!;
  const assignmentNames = (nodes: Node[]) =>
    nodes.find((n) => n.name === 'Set')?.parameters.assignments?.assignments.map((a) => a.name);
  const remote = () => n8n.state.workflows.find((w) => w.id === WF)!;
  const hookPath = (nodes: { name: string; parameters?: Record<string, unknown> }[]) =>
    nodes.find((n) => n.name === 'Webhook')?.parameters?.path;

  async function openDraft() {
    await page.getByTestId('nav-drafts').click();
    if (await page.getByTestId('d-editor').isVisible()) await page.getByTestId('d-back').click();
    await page.getByTestId('d-list').getByText('Orders merge').click();
    await page.getByTestId('d-editor').waitFor();
  }

  async function both(name: string, locator: () => ReturnType<Page['getByTestId']>) {
    await page.setViewportSize({ width: 1280, height: 1000 });
    await locator().screenshot({ path: `${shots}/${name}-light.png` });
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
    await locator().screenshot({ path: `${shots}/${name}-dark.png` });
    await call('settings:update', { patch: { theme: 'light' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
  }

  it('update from n8n merges an assignment added on each side, then the push sends both', async () => {
    page = await openConsole(browser, app.url);
    // Mine: a "priority" assignment; theirs (n8n's editor): a "channel" assignment.
    const d = await draft();
    const workflow = structuredClone(d.workflow);
    workflow.nodes
      .find((n) => n.name === 'Set')!
      .parameters.assignments!.assignments.push({ id: 'mine1', name: 'priority' } as never);
    await call('drafts:update', { id: d.id, workflow });
    n8n.editWorkflow(WF, (wf) => {
      const set = wf.nodes.find((n) => n.name === 'Set')!;
      (set.parameters!.assignments as { assignments: object[] }).assignments.push({ id: 'their1', name: 'channel' });
    });

    await openDraft();
    await page.getByTestId('d-update-from-n8n').click();
    const view = page.getByTestId('merge-view');
    await view.waitFor();
    expect(await view.getByRole('heading').first().textContent()).toBe('Merged with n8n');
    const changes = await page.getByTestId('merge-change').allTextContents();
    expect(changes.some((c) => /assignments\.assignments\.\[id=mine1\].*from your draft/.test(c))).toBe(true);
    expect(changes.some((c) => /assignments\.assignments\.\[id=their1\].*from n8n/.test(c))).toBe(true);
    await both('draft-merge-clean', () => page.getByTestId('merge-view'));
    await page.getByTestId('merge-close').click();
    await expect
      .poll(async () => assignmentNames((await draft()).workflow.nodes))
      .toEqual(['received', 'priority', 'channel']);

    await page.getByTestId('d-push').click();
    await expect.poll(() => assignmentNames(remote().nodes as Node[])).toEqual(['received', 'priority', 'channel']);
  });

  it('an overlapping change is resolved in the merge view with an edited value, then pushed', async () => {
    const d = await draft();
    const workflow = structuredClone(d.workflow);
    workflow.nodes.find((n) => n.name === 'Webhook')!.parameters.path = 'orders-mine';
    await call('drafts:update', { id: d.id, workflow });
    n8n.editWorkflow(WF, (wf) => {
      wf.nodes.find((n) => n.name === 'Webhook')!.parameters!.path = 'orders-theirs';
    });
    await openDraft();
    await page.getByTestId('d-push').click();
    // The push is refused; the conflict dialog offers the merge.
    await page.getByTestId('d-merge').click();
    const view = page.getByTestId('merge-view');
    await view.waitFor();
    const conflict = page.getByTestId('merge-conflict');
    expect(await conflict.count()).toBe(1);
    expect(await conflict.locator('legend').textContent()).toBe('parameters.path');
    expect(await page.getByTestId('merge-base').textContent()).toBe('orders');
    expect(await page.getByTestId('merge-mine').textContent()).toBe('orders-mine');
    expect(await page.getByTestId('merge-theirs').textContent()).toBe('orders-theirs');
    expect(await page.getByTestId('merge-apply').isDisabled()).toBe(true);
    await page.getByTestId('merge-pick-theirs').check();
    await both('draft-merge-conflict', () => page.getByTestId('merge-view'));

    await page.getByTestId('merge-pick-edit').check();
    await page.getByTestId('merge-edit').fill('{ broken');
    expect(await page.getByTestId('merge-apply').isDisabled()).toBe(true);
    await page.getByTestId('merge-edit').fill('"orders-both"');
    await page.getByTestId('merge-apply').click();
    await view.waitFor({ state: 'detached' });
    await expect.poll(async () => hookPath((await draft()).workflow.nodes)).toBe('orders-both');
    // The editor shows the merged draft, not its stale copy (the form view prints the parameters).
    await expect
      .poll(async () => {
        await page.getByTestId('d-tab-form').click();
        return page.getByTestId('d-editor').textContent();
      })
      .toMatch(/orders-both/);

    await page.getByTestId('d-push').click();
    await expect.poll(() => hookPath(remote().nodes)).toBe('orders-both');
  });

  it('the history lists every step, compares two versions and rolls back', async () => {
    await openDraft();
    await page.getByTestId('d-editor').screenshot({ path: `${shots}/draft-editor-merge-actions.png` });
    await page.getByTestId('d-history').click();
    const view = page.getByTestId('history-view');
    await view.waitFor();
    await expect.poll(() => page.getByTestId('history-row').count()).toBeGreaterThanOrEqual(5);
    const rows = await page.getByTestId('history-row').allTextContents();
    expect(rows[0]).toMatch(/pushed/);
    expect(rows[1]).toMatch(/merged with n8n/);
    expect(rows.at(-1)).toMatch(/cloned from n8n/);
    expect(rows.join('\n')).toMatch(/prod/);

    // From the clone to now: the path and the Set assignments changed.
    const first = await page
      .getByTestId('history-from')
      .locator('option')
      .nth(rows.length - 1)
      .getAttribute('value');
    await page.getByTestId('history-from').selectOption(first!);
    await page.getByTestId('history-compare').click();
    const list = page.getByTestId('history-changes');
    await list.waitFor();
    expect(await list.textContent()).toMatch(/node “Webhook”.*path/);
    expect(await list.textContent()).toMatch(/node “Set”.*assignments/);
    await both('draft-history', () => page.getByTestId('history-view'));

    // Roll back to the clone: restored and pushed through the usual checks.
    await page.getByTestId('history-rollback').last().click();
    await expect.poll(() => page.getByTestId('history-status').textContent()).toMatch(/Rolled back/);
    await expect.poll(() => hookPath(remote().nodes)).toBe('orders');
    expect(assignmentNames(remote().nodes as Node[])).toEqual(['received']);
    expect((await page.getByTestId('history-row').allTextContents()).slice(0, 2).join(' ')).toMatch(/pushed.*restored/);
    await page.getByTestId('history-close').click();
  });
});
