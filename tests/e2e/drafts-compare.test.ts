import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { axeViolations } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// Two versions of a draft compared on the canvas in Chromium: the cloned version against the
// pushed one, which added a node, changed a parameter and removed a link. Each side marks exactly
// those; clicking the changed node lists the parameter with both values. A compare that fails
// (n8n refusing the key) says so in words, with what to do. Pictures in both themes go to
// FLIGHTDECK_SCREENSHOTS or the temp folder.

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();
const WF = 'wfCompare0000001';

interface Node {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
}
interface DraftLite {
  id: string;
  workflow: {
    name: string;
    nodes: Node[];
    connections: Record<string, Record<string, { node: string; type: string; index: number }[][]>>;
  };
}

const node = (name: string, type: string, position: [number, number], parameters: Record<string, unknown> = {}) => ({
  id: `id-${name}`,
  name,
  type,
  typeVersion: 1,
  position,
  parameters,
});

describe('drafts: two versions compared on the canvas', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  let page: Page;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    n8n.addWorkflow(WF, 'Orders compare', {
      nodes: [
        node('Webhook', 'n8n-nodes-base.webhook', [0, 0], { path: 'orders' }),
        node('Set', 'n8n-nodes-base.set', [240, 0], { mode: 'manual' }),
        node('Notify', 'n8n-nodes-base.httpRequest', [480, 0], { url: 'https://example.test/a' }),
      ],
      connections: {
        Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
        Set: { main: [[{ node: 'Notify', type: 'main', index: 0 }]] },
      },
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
    // Version 1: the clone. Version 2: pushed with a node added, a parameter changed, a link removed.
    const draft = await call<DraftLite>('drafts:clone', { instanceId: instance.id, workflowId: WF, version: 'draft' });
    const workflow = structuredClone(draft.workflow);
    workflow.nodes.find((n) => n.name === 'Set')!.parameters.mode = 'raw';
    workflow.nodes.push(node('Audit', 'n8n-nodes-base.noOp', [480, 200]));
    delete workflow.connections.Set;
    await call('drafts:update', { id: draft.id, workflow });
    await call('drafts:push', { id: draft.id, override: false });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  const marks = async (side: string) =>
    Object.fromEntries(
      await Promise.all(
        (await page.getByTestId(side).locator('[data-mark]').all()).map(async (m) => [
          (await m.getAttribute('data-testid'))?.replace('canvas-node-', ''),
          await m.getAttribute('data-mark'),
        ]),
      ),
    );
  const linkMarks = (side: string) => page.getByTestId(side).locator('[data-testid^="canvas-link-mark-"]');

  it('marks the added node, the changed parameter and the removed link, and shows the values', async () => {
    page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.getByTestId('nav-drafts').click();
    await page.getByTestId('d-list').getByText('Orders compare').click();
    await page.getByTestId('d-history').click();
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(2);
    const ids = await page
      .getByTestId('history-from')
      .locator('option')
      .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    // Newest first: [push, clone, current, n8n].
    expect(ids.slice(2)).toEqual(['current', 'n8n']);
    await page.getByTestId('history-from').selectOption(ids[1]!);
    await page.getByTestId('history-to').selectOption(ids[0]!);
    await page.getByTestId('history-compare').click();
    await page.getByTestId('compare-canvas').waitFor();
    await page.getByTestId('compare-to').getByTestId('canvas-node-Audit').waitFor();

    expect(await marks('compare-from')).toEqual({ Set: 'changed' });
    expect(await marks('compare-to')).toEqual({ Audit: 'added', Set: 'changed' });
    expect(await page.getByTestId('compare-to').getByTestId('canvas-mark-Set').textContent()).toBe(
      '~ changed: parameters',
    );
    expect(await linkMarks('compare-from').allTextContents()).toEqual(['− removed']);
    expect(await linkMarks('compare-from').first().getAttribute('data-testid')).toBe('canvas-link-mark-Set-Notify');
    expect(await linkMarks('compare-to').count()).toBe(0);
    // Links: the older side draws both, the newer one only Webhook → Set.
    expect(await page.getByTestId('compare-from').locator('.react-flow__edge').count()).toBe(2);
    expect(await page.getByTestId('compare-to').locator('.react-flow__edge').count()).toBe(1);

    // Clicking the changed node (either side) shows the parameter with both values, and selects it on both.
    await page.getByTestId('compare-from').getByTestId('canvas-node-Set').click();
    const rows = page.getByTestId('compare-value');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.locator('td').allTextContents()).toEqual(['Parameter mode', 'manual', 'raw']);
    expect(await page.getByTestId('compare-node-links').textContent()).toContain('− Set[main 0] → Notify[0]');
    expect(await page.getByTestId('compare-to').locator('.react-flow__node.selected').getAttribute('data-id')).toBe(
      'Set',
    );
    await page.getByTestId('compare-to').getByTestId('canvas-node-Audit').click();
    await expect.poll(() => page.getByTestId('compare-node').textContent()).toMatch(/only in/);

    await page.getByTestId('compare-from').getByTestId('canvas-node-Set').click();
    await page.getByTestId('history-view').screenshot({ path: `${shots}/draft-compare-light.png` });
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
    await page.getByTestId('history-view').screenshot({ path: `${shots}/draft-compare-dark.png` });
    await call('settings:update', { patch: { theme: 'light' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await axeViolations(page, { impacts: ['serious', 'critical'] })).toEqual([]);
  });

  it('compares with what n8n has (also from Compare with n8n), and a refused compare or update says what to do', async () => {
    // n8n has what was pushed: the draft now and n8n now are the same.
    await page.getByTestId('history-from').selectOption('current');
    await page.getByTestId('history-to').selectOption('n8n');
    await page.getByTestId('history-compare').click();
    await expect.poll(() => page.getByTestId('compare-canvas').textContent()).toMatch(/To: n8n now/);
    expect(await page.locator('[data-testid="compare-canvas"] [data-mark]').count()).toBe(0);

    n8n.state.failWith = 401;
    await page.getByTestId('history-compare').click();
    const problem = page.getByTestId('history-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(
      /^Comparing the two versions failed: .+ fix it on the Instances page\.$/,
    );
    expect(await page.getByTestId('compare-canvas').count()).toBe(0);
    n8n.state.failWith = undefined;
    await page.getByTestId('history-compare').click();
    await page.getByTestId('compare-canvas').waitFor();
    expect(await problem.count()).toBe(0);

    // The editor's actions say so too: "Update from n8n" with n8n refusing the key.
    await page.getByTestId('history-close').click();
    n8n.state.failWith = 401;
    await page.getByTestId('d-update-from-n8n').click();
    const editorProblem = page.getByTestId('d-problem');
    await editorProblem.waitFor();
    expect(await editorProblem.textContent()).toMatch(/^Updating from n8n failed: .+ fix it on the Instances page\.$/);
    n8n.state.failWith = undefined;
    await page.getByTestId('d-update-from-n8n').click();
    await page.getByTestId('merge-view').waitFor();
    expect(await editorProblem.count()).toBe(0);
    await page.getByTestId('merge-close').click();

    // "Compare with n8n" opens on the canvas too: n8n moved the Webhook's path meanwhile.
    n8n.editWorkflow(WF, (wf) => {
      wf.nodes.find((n) => n.name === 'Webhook')!.parameters!.path = 'orders-n8n';
    });
    await page.getByTestId('d-diff-button').click();
    await page.getByTestId('d-diff-canvas').click();
    await page.getByTestId('compare-canvas').waitFor();
    expect(await page.getByTestId('compare-canvas').textContent()).toMatch(/From: n8n now.*To: the draft now/);
    expect(await marks('compare-to')).toEqual({ Webhook: 'changed' });
    await page.getByTestId('compare-to').getByTestId('canvas-node-Webhook').click();
    await expect
      .poll(() => page.getByTestId('compare-value').locator('td').allTextContents())
      .toEqual(['Parameter path', 'orders-n8n', 'orders']);
  });
});
