import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { blockingViolations, type AxeViolation } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

/** Where the screenshots go (viewed by a person, not compared): FLIGHTDECK_SHOTS, else a temp folder. */
const SHOTS = process.env.FLIGHTDECK_SHOTS ?? '/tmp/flightdeck-shots/foundation';

/** The areas this suite owns (the shell and its foundation); other areas run the same helper in their own suites. */
const AREAS = ['instances', 'workflows', 'schedules', 'queue', 'backups', 'audit', 'settings'] as const;

describe('accessibility of the shell and its areas, light and dark', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);

  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n()]);
    n8n.addWorkflow('wfOrders000000001', 'Orders', { path: 'orders', tags: ['shop'] });
    n8n.addWorkflow('wfRefunds00000001', 'Refunds', { active: false, path: 'refunds' });
    const { id: instanceId } = await call<{ id: string }>('instances:add', {
      name: 'prod',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await call('instances:syncNow', { id: instanceId });
    await call('mappings:create', {
      mapping: { name: 'Orders placed', event: 'order.placed', instanceId, webhookPath: 'orders' },
    });
    await call('ingest:emit', { event: 'order.placed', payload: { order: 'A-1' } });
    for (const [name, timing] of [
      ['Nightly report', { kind: 'cron', expression: '0 3 * * *', timeZone: 'Asia/Tokyo' }],
      ['Hourly sync', { kind: 'interval', everyMs: 3_600_000, timeZone: 'UTC' }],
    ] as const) {
      await call('schedules:create', { draft: { name, event: 'order.placed', payload: {}, timing } });
    }
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  it('the check can fail: it finds a nameless button and unreadable text', async () => {
    const page = await openConsole(browser, app.url);
    await page.evaluate(() => {
      const bad = document.createElement('div');
      bad.innerHTML = '<button type="button"></button><p style="color:#ddd;background:#fff">faint</p>';
      document.querySelector('main')?.append(bad);
    });
    const ids = (await blockingViolations(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['button-name', 'color-contrast']));
    await page.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation in the ${theme} theme`, async () => {
      await call('settings:update', { patch: { theme } });
      const page = await openConsole(browser, app.url);
      await page.setViewportSize({ width: 1280, height: 800 });
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      const found: Record<string, AxeViolation[]> = {};
      for (const area of AREAS) {
        await page.getByTestId(`nav-${area}`).click();
        await expect.poll(() => page.getByRole('heading', { level: 1 }).first().isVisible()).toBe(true);
        await page.waitForFunction(() => !document.querySelector('[data-testid="loading"]'));
        const violations = await blockingViolations(page);
        if (violations.length) found[area] = violations;
        await page.screenshot({ path: `${SHOTS}/${area}-${theme}.png` });
      }
      // An item open, and the palette over it.
      await page.getByTestId('nav-workflows').click();
      await page.getByTestId('workflow-row-Orders').click();
      await page.getByTestId('workflow-detail').waitFor();
      await page.screenshot({ path: `${SHOTS}/workflow-detail-${theme}.png` });
      await page.keyboard.press('Control+k');
      await page.keyboard.type('or');
      await page.getByTestId('palette-option').first().waitFor();
      const palette = await blockingViolations(page);
      if (palette.length) found.palette = palette;
      await page.screenshot({ path: `${SHOTS}/palette-${theme}.png` });
      await page.close();
      expect(found).toEqual({});
    });
  }
});
