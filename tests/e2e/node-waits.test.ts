import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistration } from '../../n8n-nodes-flightdeck/shared/approval';
import { signedHeaders } from '../../n8n-nodes-flightdeck/shared/protocol';
import { createCore } from '../../src/main/core/create-core';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { silentLogger } from '../../src/main/core/logger';
import { launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

/**
 * Registers two n8n waits through the console's signed door: one as the n8n node "Flightdeck:
 * Request Approval" sends it (its own body building and signing, n8n-nodes-flightdeck/shared),
 * one made by hand without the node's marker.
 */
async function seed(dataDir: string): Promise<void> {
  const core = createCore({ dataDir, ingestPort: 0 });
  try {
    const added = await core.call('instances:add', {
      name: 'shop',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'seed-key-123456',
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    if (!added.ok) throw new Error(JSON.stringify(added.error));
    const info = await core.call('ingest:info', {});
    if (!info.ok || !info.data.url) throw new Error('no ingest door');
    const secret = loadOrCreateIngestSecret(dataDir, silentLogger);
    const post = async (body: unknown) => {
      const text = JSON.stringify(body);
      const res = await fetch(`${info.data.url}/approvals`, {
        method: 'POST',
        headers: signedHeaders(secret, Date.now(), text),
        body: text,
      });
      expect(res.status).toBe(201);
    };
    await post(
      buildRegistration(
        {
          title: 'Refund 40 EUR to ana@example.com',
          summary: 'Order A-1001: lost parcel.\nSecond refund this month.',
          fields: [
            { name: 'amount', value: 40 },
            { name: 'customer', value: 'ana@example.com' },
            { name: 'order', value: 'A-1001' },
            { name: 'vip', value: false },
          ],
          priority: 2,
        },
        {
          executionId: '81',
          resumeUrl: 'http://127.0.0.1:9/webhook-waiting/81/node-1?flightdeck=token',
          instanceUrl: 'http://127.0.0.1:9/',
        },
      ),
    );
    await post({
      instanceUrl: 'http://127.0.0.1:9',
      executionId: '82',
      resumeUrl: 'http://127.0.0.1:9/webhook-waiting/82',
      summary: 'Publish the newsletter',
      payload: { issue: 12 },
    });
  } finally {
    await core.close();
  }
}

describe('waits registered by the n8n node, in the inbox (Chromium)', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let dataDir: string;
  let page: Page;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-node-waits-'));
    await seed(dataDir);
    [browser, app] = await Promise.all([launchChromium(), startConsole({ dataDir })]);
    page = await openConsole(browser, app.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const row = (title: string) => page.getByTestId('approval-row').filter({ hasText: title });

  it("lists the node's wait with its title, its fields and where it came from", async () => {
    await page.getByTestId('nav-approvals').click();
    await expect.poll(() => page.getByTestId('approval-row').count()).toBe(2);
    const node = row('Refund 40 EUR to ana@example.com');
    await expect
      .poll(() => node.getByTestId('approval-fields').textContent())
      .toBe('amount: 40 · customer: ana@example.com · order: A-1001 · +1 more');
    expect(await node.textContent()).toContain('Flightdeck node');
    const byHand = row('Publish the newsletter');
    expect(await byHand.getByTestId('approval-fields').count()).toBe(0);
    expect(await byHand.textContent()).toContain('n8n wait');
  });

  it('shows the longer text and every field in the detail pane', async () => {
    await row('Refund 40 EUR to ana@example.com').click();
    const fields = page.getByTestId('detail-fields');
    await expect
      .poll(() => fields.locator('p').textContent())
      .toBe('Order A-1001: lost parcel.\nSecond refund this month.');
    expect(await fields.locator('tr').allTextContents()).toEqual([
      'amount40',
      'customerana@example.com',
      'orderA-1001',
      'vipfalse',
    ]);
    await row('Publish the newsletter').click();
    await expect.poll(() => page.getByTestId('detail-payload').textContent()).toContain('"issue": 12');
    expect(await page.getByTestId('detail-fields').count()).toBe(0);
  });
});
