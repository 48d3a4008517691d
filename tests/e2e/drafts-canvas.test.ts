import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';
import { blockingViolations } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The drafts canvas in Chromium: add a node from the known types, connect two nodes by dragging
// between ports, remove the link, delete a node and undo (keys and toast), drag a node and save
// its position, and a parameter edit with a JSON error. Pictures in both themes go to
// FLIGHTDECK_SCREENSHOTS or the temp folder.

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();

interface StoredDraft {
  id: string;
  workflow: {
    nodes: { name: string; type: string; typeVersion: number; position: [number, number]; parameters: object }[];
    connections: Record<string, Record<string, ({ node: string; type: string; index: number }[] | null)[]>>;
  };
}

const node = (name: string, type: string, position: [number, number], extra: object = {}) => ({
  id: `id-${name}`,
  name,
  type,
  typeVersion: 1,
  position,
  parameters: {},
  ...extra,
});

const exported = {
  name: 'Orders canvas',
  nodes: [
    node('Webhook', 'n8n-nodes-base.webhook', [0, 0], { typeVersion: 2, parameters: { path: 'orders' } }),
    node('If', 'n8n-nodes-base.if', [240, 0], { typeVersion: 2.2 }),
    node('Big', 'n8n-nodes-base.set', [480, -100], { typeVersion: 3.4 }),
    node('Small', 'n8n-nodes-base.set', [480, 100], { typeVersion: 3.4 }),
  ],
  connections: {
    Webhook: { main: [[{ node: 'If', type: 'main', index: 0 }]] },
    If: { main: [[{ node: 'Big', type: 'main', index: 0 }], [{ node: 'Small', type: 'main', index: 0 }]] },
  },
  settings: { executionOrder: 'v1' },
};

/** Centre of an element on screen. */
async function centre(target: Locator) {
  const box = await target.boundingBox();
  if (!box) throw new Error('element not on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A real pointer drag, in steps, as a hand would do it. */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + (to.x - from.x) / 3, from.y + (to.y - from.y) / 3, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 10 });
  await page.mouse.up();
}

/**
 * How far the workflow's centre is from the canvas's centre, in px, once fitted (the nodes' boxes
 * together against the canvas's box), and the canvas's box itself.
 */
async function offCentre(canvas: Locator) {
  const box = await canvas.boundingBox();
  const nodes = (
    await Promise.all((await canvas.locator('.react-flow__node').all()).map((n) => n.boundingBox()))
  ).filter((b) => b !== null);
  if (!box || nodes.length === 0) return { dx: Infinity, dy: Infinity, box };
  const left = Math.min(...nodes.map((b) => b.x));
  const right = Math.max(...nodes.map((b) => b.x + b.width));
  const top = Math.min(...nodes.map((b) => b.y));
  const bottom = Math.max(...nodes.map((b) => b.y + b.height));
  return {
    dx: Math.round(Math.abs((left + right) / 2 - (box.x + box.width / 2))),
    dy: Math.round(Math.abs((top + bottom) / 2 - (box.y + box.height / 2))),
    box,
  };
}

describe('the drafts canvas in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  let instanceId: string;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    const shape = webhookWorkflow({ path: 'orders' });
    n8n.addWorkflow('wfOrders00000001', 'Orders intake', {
      nodes: [
        ...shape.nodes,
        {
          id: 'slack-1',
          name: 'Tell sales',
          type: 'n8n-nodes-base.slack',
          typeVersion: 2.3,
          position: [440, 0],
          parameters: { text: '={{ $json.body.total }}' },
        },
      ],
      connections: {
        Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
        Set: { main: [[{ node: 'Tell sales', type: 'main', index: 0 }]] },
      },
    });
    // One run that failed at its last node (the fake's run data: every node up to it ran).
    n8n.addExecutions(1, 'wfOrders00000001', 'error', {
      nodes: [
        { name: 'Webhook', type: 'n8n-nodes-base.webhook' },
        { name: 'Set', type: 'n8n-nodes-base.set' },
        { name: 'Tell sales', type: 'n8n-nodes-base.slack' },
      ],
    });
    const instance = await call<{ id: string }>('instances:add', {
      name: 'prod',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'production',
      color: '#2f6fed',
      syncEnabled: false,
    });
    instanceId = instance.id;
    await call('instances:syncNow', { id: instanceId });
    // A snapshot tells the versions of the types in use (the synced list keeps names and types only).
    await call('backups:snapshotTake', { instanceId });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  it('opens a draft fitted and centred in a canvas that ends at the window (360 px at least)', async () => {
    const draft = await call<StoredDraft>('drafts:import', {
      document: {
        ...exported,
        name: 'Two nodes',
        nodes: exported.nodes.slice(0, 2),
        connections: { Webhook: exported.connections.Webhook },
      },
      instanceId: null,
    });
    const page = await openConsole(browser, app.url);
    for (const viewport of [
      { width: 1400, height: 900 },
      { width: 1280, height: 720 },
    ]) {
      await page.setViewportSize(viewport);
      await page.getByTestId('nav-drafts').click();
      if (await page.getByTestId('d-editor').isVisible()) await page.getByTestId('d-back').click();
      await page.getByTestId('d-list').getByText('Two nodes').click();
      const canvas = page.getByTestId('d-canvas');
      await canvas.getByTestId('canvas-node-If').waitFor();
      // Centred both ways (a node's snap to the 20 px grid aside), and the canvas ends in the window.
      await expect.poll(async () => (await offCentre(canvas)).dy, { timeout: 10_000 }).toBeLessThan(12);
      const { dx, box } = await offCentre(canvas);
      expect(dx).toBeLessThan(12);
      // It ends at the window's bottom edge; a window too short for that gets the smallest workable canvas.
      if (viewport.height >= 900) expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
      else expect(Math.round(box!.height)).toBe(360);
      await page.screenshot({ path: `${shots}/draft-canvas-open-${viewport.height}-light.png` });
    }
    await call('drafts:remove', { id: draft.id });
    await page.close();
  });

  it('adds, connects, disconnects, deletes and undoes, drags and saves, and flags broken parameters', async () => {
    const draft = await call<StoredDraft>('drafts:import', { document: exported, instanceId: null });
    const stored = async () => (await call<StoredDraft>('drafts:get', { id: draft.id })).workflow;
    const page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1500, height: 1000 });
    await page.getByTestId('nav-drafts').click();
    await page.getByTestId('d-list').getByText('Orders canvas').click();
    const canvas = page.getByTestId('d-canvas');
    const nodeBox = (name: string) => canvas.getByTestId(`canvas-node-${name}`);
    const edges = canvas.locator('.react-flow__edge');
    await nodeBox('Small').waitFor();
    expect(await edges.count()).toBe(3);

    // The types offered include what the instance runs, where it was seen, at the version it runs.
    await page.getByTestId('d-canvas-add-input').fill('slack');
    await expect
      .poll(() => page.getByTestId('d-canvas-add-option').allTextContents())
      .toEqual(['Slack1× prodn8n-nodes-base.slack · v2.3']);
    await page.getByTestId('d-canvas-add-input').fill('');
    // n8n's If: two labelled outputs.
    expect(await canvas.getByTestId('rf__node-If').locator('.react-flow__handle.source').allTextContents()).toEqual([
      'true',
      'false',
    ]);

    // Add: a type picked by name from the known types, placed on the last node's row.
    const picker = page.getByTestId('d-canvas-add-input');
    await picker.fill('No Operation');
    await expect.poll(() => page.getByTestId('d-canvas-add-option').count()).toBeGreaterThan(0);
    await picker.press('Enter');
    await nodeBox('No Operation').waitFor();
    await page.getByTestId('d-node-4-name').waitFor(); // the new node is selected in the inspector

    // Connect: drag from Small's output to No Operation's input.
    const out = canvas.getByTestId('rf__node-Small').locator('.react-flow__handle.source');
    const into = canvas.getByTestId('rf__node-No Operation').locator('.react-flow__handle.target');
    await drag(page, await centre(out), await centre(into));
    await expect.poll(() => edges.count()).toBe(4);
    const link = canvas.locator('[data-testid="rf__edge-Small|main:0→No Operation|main:0"]');
    await link.waitFor({ state: 'attached' }); // a straight link has no height: "hidden" to Playwright

    // Disconnect: click the link, then its remove button.
    await page.mouse.click((await centre(link)).x, (await centre(link)).y);
    await canvas.getByTestId('canvas-edge-remove-Small-No Operation').click();
    await expect.poll(() => edges.count()).toBe(3);
    // And again by Delete on a selected link.
    await drag(page, await centre(out), await centre(into));
    await expect.poll(() => edges.count()).toBe(4);
    await page.mouse.click((await centre(link)).x, (await centre(link)).y);
    await canvas.getByTestId('canvas-edge-remove-Small-No Operation').waitFor();
    await page.keyboard.press('Delete');
    await expect.poll(() => edges.count()).toBe(3);
    await drag(page, await centre(out), await centre(into));
    await expect.poll(() => edges.count()).toBe(4);

    // Delete with Delete, undo with Ctrl+Z: the node and its links come back.
    await nodeBox('Big').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => nodeBox('Big').count()).toBe(0);
    expect(await page.getByTestId('d-canvas-toast').textContent()).toContain('Deleted “Big”');
    await expect.poll(() => edges.count()).toBe(3);
    await page.keyboard.press('Control+z');
    await nodeBox('Big').waitFor();
    await expect.poll(() => edges.count()).toBe(4);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => nodeBox('Big').count()).toBe(0);
    // …and with the toast's Undo.
    await page.getByTestId('d-canvas-toast-undo').click();
    await nodeBox('Big').waitFor();
    await expect.poll(() => edges.count()).toBe(4);

    // Drag a node: its new position is saved into the draft, in whole pixels on n8n's grid.
    const before = await centre(nodeBox('Big'));
    await drag(page, before, { x: before.x + 120, y: before.y - 90 });
    await page.getByTestId('d-save').click();
    await expect.poll(() => page.getByTestId('d-status').textContent()).toBe('Saved.');
    const saved = await stored();
    const big = saved.nodes.find((n) => n.name === 'Big');
    expect(big?.position[0]).toBeGreaterThan(480);
    expect(big?.position[1]).toBeLessThan(-100);
    expect(big!.position.every((v) => Number.isInteger(v) && v % 20 === 0)).toBe(true);
    expect(saved.nodes.map((n) => [n.name, n.type])).toContainEqual(['No Operation', 'n8n-nodes-base.noOp']);
    expect(saved.connections.Small).toEqual({ main: [[{ node: 'No Operation', type: 'main', index: 0 }]] });
    expect(saved.connections.If).toEqual(exported.connections.If);

    // A parameter edit with a JSON error: marked in the editor and listed; Save refuses.
    await canvas.locator('.react-flow__controls-fitview').click(); // the drag may have panned the view
    await nodeBox('Webhook').click();
    const params = page.getByTestId('d-node-0-params');
    await params.fill('{ "path": ');
    await expect
      .poll(() => page.getByTestId('d-issues').textContent())
      .toContain('Node "Webhook": parameters not valid JSON');
    await page.getByTestId('d-node-0-params-box').locator('.cm-lint-marker-error').first().waitFor();
    expect(await page.getByTestId('d-save').isDisabled()).toBe(true);
    await params.fill('{\n  "path": "orders",\n  "responseData": "={{ $json.id }}"\n}');
    await page.getByTestId('d-valid').waitFor();
    const box = page.getByTestId('d-node-0-params-box');
    expect((await box.locator('.cm-n8n-expression').allTextContents()).join('')).toBe('"={{ $json.id }}"');
    expect(await box.locator('.cm-n8n-braces').allTextContents()).toEqual(['{{ $json.id }}']);
    // A plain string is not an expression.
    expect((await box.locator('.cm-n8n-expression').allTextContents()).join('')).not.toContain('orders');
    await page.getByTestId('d-save').click();
    await expect
      .poll(async () => (await stored()).nodes[0]?.parameters)
      .toEqual({ path: 'orders', responseData: '={{ $json.id }}' });

    // Pictures of the canvas with a node selected, both themes.
    await page.getByTestId('d-canvas-add').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/draft-canvas-light.png` });
    expect(await blockingViolations(page)).toEqual([]);
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.screenshot({ path: `${shots}/draft-canvas-dark.png` });
    expect(await blockingViolations(page)).toEqual([]);
    await call('settings:update', { patch: { theme: 'light' } });
  });

  it('draws a synced workflow read-only in the Workflows detail: nodes, links, parameters, full view', async () => {
    const page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1500, height: 1000 });
    await page.evaluate((hash) => (location.hash = hash), `#/workflows/${instanceId}/wfOrders00000001`);
    const view = page.getByTestId('workflow-canvas');
    const canvas = page.getByTestId('workflow-canvas-canvas');
    await canvas.getByTestId('canvas-node-Tell sales').waitFor();
    await expect.poll(async () => (await offCentre(canvas)).dy, { timeout: 10_000 }).toBeLessThan(12);
    expect((await offCentre(canvas)).dx).toBeLessThan(12);
    expect(await canvas.locator('.react-flow__edge').count()).toBe(2);
    expect(await view.textContent()).toContain('The version n8n runs.');
    // Read only: nothing to connect, nothing moves on Delete.
    expect(await canvas.locator('.react-flow__handle.connectable').count()).toBe(0);
    await canvas.getByTestId('canvas-node-Tell sales').click();
    const detail = page.getByTestId('workflow-canvas-node');
    await expect.poll(() => detail.textContent()).toContain('n8n-nodes-base.slack v2.3');
    expect(await detail.locator('.cm-n8n-expression').count()).toBeGreaterThan(0);
    expect(await detail.locator('.cm-content').getAttribute('contenteditable')).toBe('false');
    await page.keyboard.press('Delete');
    expect(await canvas.getByTestId('canvas-node-Tell sales').count()).toBe(1);

    await page.getByTestId('workflow-canvas-full').click();
    await expect.poll(() => page.getByTestId('workflow-canvas-full').getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: `${shots}/workflow-canvas-full-light.png` });
    expect(await blockingViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('workflow-canvas-full').getAttribute('aria-pressed')).toBe('false');
    await page.getByTestId('workflow-detail').screenshot({ path: `${shots}/workflow-canvas-light.png` });
    expect(await blockingViolations(page)).toEqual([]);
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.getByTestId('workflow-detail').screenshot({ path: `${shots}/workflow-canvas-dark.png` });
    expect(await blockingViolations(page)).toEqual([]);
    await call('settings:update', { patch: { theme: 'light' } });
  });

  it('marks on the canvas which nodes of an n8n execution ran, with items, and which failed', async () => {
    const { executions } = await call<{ executions: { id: number; source: string }[] }>('executions:list', {
      instanceId,
    });
    const run = executions[0];
    expect(run?.source).toBe('remote');
    const page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1500, height: 1000 });
    await page.evaluate((hash) => (location.hash = hash), `#/executions/${run!.id}`);
    const canvas = page.getByTestId('execution-canvas-canvas');
    await canvas.getByTestId('canvas-run-Tell sales').waitFor();
    await expect.poll(async () => (await offCentre(canvas)).dy, { timeout: 10_000 }).toBeLessThan(12);
    expect((await offCentre(canvas)).dx).toBeLessThan(12);
    expect(await canvas.getByTestId('canvas-run-Tell sales').textContent()).toContain('failed');
    expect(await canvas.getByTestId('canvas-node-Tell sales').getAttribute('data-run')).toBe('error');
    expect(await canvas.getByTestId('canvas-run-Webhook').textContent()).toBe('✓ 1 item');
    expect(await canvas.getByTestId('canvas-run-Set').textContent()).toBe('✓ 2 items');
    expect(await page.getByTestId('execution-canvas').textContent()).toContain('3 of 3 nodes ran, 1 failed');
    // The failing node's error, on selecting it.
    await canvas.getByTestId('canvas-node-Tell sales').click();
    await expect.poll(() => page.getByTestId('execution-canvas-node').textContent()).toContain('deliberate failure');
    await page.getByTestId('execution-detail').screenshot({ path: `${shots}/execution-canvas-light.png` });
    expect(await blockingViolations(page)).toEqual([]);
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.getByTestId('execution-detail').screenshot({ path: `${shots}/execution-canvas-dark.png` });
    expect(await blockingViolations(page)).toEqual([]);
    await call('settings:update', { patch: { theme: 'light' } });
  });
});
