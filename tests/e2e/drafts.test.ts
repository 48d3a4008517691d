import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

describe('drafts in Chromium', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  const files = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-drafts-'));
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), startConsole()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('imports an n8n export, validates as you type naming the node, and saves', async () => {
    const exported = {
      id: '12',
      name: 'Orders',
      active: true,
      versionId: 'abc',
      tags: [],
      nodes: [
        {
          id: 'a',
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 0],
          parameters: { path: 'orders' },
        },
        { id: 'b', name: 'Set', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [200, 0], parameters: {} },
      ],
      connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
      settings: { executionOrder: 'v1' },
    };
    const file = join(files, 'orders.json');
    writeFileSync(file, JSON.stringify(exported));
    const bad = join(files, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', nodes: 'no' }));

    const page = await openConsole(browser, app.url);
    await page.getByTestId('nav-drafts').click();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('d-import-file').setInputFiles(bad);
    await expect.poll(() => page.getByTestId('d-import-problem').textContent()).toContain('nodes');

    await page.getByTestId('d-import-file').setInputFiles(file);
    await page.getByTestId('d-editor').waitFor();
    await page.getByTestId('d-valid').waitFor();
    // Drafts open on the canvas; the form of every node is one tab away.
    await page.getByTestId('d-canvas').getByTestId('canvas-node-Set').waitFor();
    await page.getByTestId('d-tab-form').click();

    // A duplicate name is refused on leaving the field, naming the node; broken JSON too.
    await page.getByTestId('d-node-1-name').fill('Webhook');
    await page.getByTestId('d-node-1-name').press('Tab');
    await expect
      .poll(() => page.getByTestId('d-issues').textContent())
      .toContain('another node is already named "Webhook"');
    await page.getByTestId('d-node-1-name').fill('Shape');
    await page.getByTestId('d-node-1-name').press('Tab');
    await page.getByTestId('d-node-1-params').fill('{ "keepOnlySet": ');
    await expect
      .poll(() => page.getByTestId('d-issues').textContent())
      .toContain('Node "Shape": parameters not valid JSON');
    expect(await page.getByTestId('d-save').isDisabled()).toBe(true);
    await page.getByTestId('d-node-1-params').fill('{ "keepOnlySet": true }');
    await page.getByTestId('d-valid').waitFor();

    // The rename kept the connection pointing at the node.
    expect(await page.getByTestId('d-connections').textContent()).toContain('Webhook [main 0] → Shape [0]');
    await page.getByTestId('d-save').click();
    await expect.poll(() => page.getByTestId('d-status').textContent()).toBe('Saved.');
    await page.getByTestId('d-back').click();
    await page.getByTestId('d-list').getByText('Orders').waitFor();
  });
});
