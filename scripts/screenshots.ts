/**
 * `npm run screenshots`: the screenshot tour. Starts the built headless host on a temp data
 * folder with two loopback fake n8n instances ("dev", "prod"), seeds realistic data through the
 * contract (scripts/screenshots-seed.ts), then visits every area of src/renderer/areas.ts and a few
 * details (a run, an approval, a workflow, the palette) in light and dark, writing
 * docs/screenshots/<area>-<theme>.png at 1400×900. Run with jiti after `electron-vite build`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AREAS } from '../src/renderer/areas';
import { startFakeN8n } from '../src/main/core/testing/fake-n8n';
import { callHost, launchChromium, openConsole, startConsole } from '../tests/e2e/console';
import { seed } from './screenshots-seed';

const OUT = process.env.FLIGHTDECK_SHOTS ?? join(process.cwd(), 'docs/screenshots');
const VIEWPORT = { width: 1400, height: 900 };

/** Waits until the area's heading shows and nothing is loading any more. */
async function settle(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="loading"]'));
  // Fonts and charts finish their last layout pass.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(400);
}

/** One optional detail shot: a missing row is reported, not fatal. */
async function detail(page: Page, name: string, open: () => Promise<void>): Promise<void> {
  try {
    await open();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(OUT, name) });
  } catch (error) {
    console.warn(
      `screenshots: ${name} skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const [browser, app, dev, prod] = await Promise.all([
    launchChromium(),
    startConsole(),
    startFakeN8n(),
    startFakeN8n(),
  ]);
  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);
  let written = 0;
  try {
    await seed(call, dev, prod);
    for (const theme of ['light', 'dark'] as const) {
      await call('settings:update', { patch: { theme } });
      const page = await openConsole(browser, app.url);
      await page.setViewportSize(VIEWPORT);
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
      // Team shows only in team mode: not in this single-operator tour.
      for (const area of AREAS.filter((a) => a.id !== 'team')) {
        await page.getByTestId(`nav-${area.id}`).click();
        await settle(page);
        await page.screenshot({ path: join(OUT, `${area.id}-${theme}.png`) });
        written++;
      }
      const shots: [string, () => Promise<void>][] = [
        [
          'run-detail',
          async () => {
            await page.getByTestId('nav-executions').click();
            await settle(page);
            await page.locator('[data-testid="execution-row"]').first().click({ timeout: 10_000 });
            await page.getByTestId('execution-detail').waitFor({ timeout: 10_000 });
          },
        ],
        [
          'approval-detail',
          async () => {
            await page.getByTestId('nav-approvals').click();
            await settle(page);
            await page.getByTestId('approval-row').first().click({ timeout: 10_000 });
            await page.getByTestId('approval-detail').waitFor({ timeout: 10_000 });
          },
        ],
        [
          'workflow-detail',
          async () => {
            await page.getByTestId('nav-workflows').click();
            await settle(page);
            await page.locator('[data-testid^="workflow-row-"]').first().click({ timeout: 10_000 });
            await page.getByTestId('workflow-detail').waitFor({ timeout: 10_000 });
          },
        ],
        [
          'draft-canvas',
          async () => {
            await page.getByTestId('nav-drafts').click();
            await settle(page);
            await page.getByTestId('d-list').getByText('Orders → CRM').first().click({ timeout: 10_000 });
            await page.getByTestId('d-canvas').locator('.react-flow__node').first().waitFor({ timeout: 10_000 });
          },
        ],
        [
          // A kit's check (a dry run: nothing is created) against the dev instance.
          'template-check',
          async () => {
            await page.getByTestId('nav-templates').click();
            await settle(page);
            await page.getByTestId('template-approval-gated-webhook').click();
            await page.getByTestId('template-instance-input').fill('dev');
            await page.keyboard.press('Enter');
            await page.getByTestId('template-check').click();
            await page.getByTestId('template-result').waitFor({ timeout: 10_000 });
          },
        ],
        [
          'palette',
          async () => {
            await page.getByTestId('nav-instances').click();
            await settle(page);
            await page.keyboard.press('Control+k');
            await page.keyboard.type('or');
            await page.getByTestId('palette-option').first().waitFor({ timeout: 10_000 });
          },
        ],
      ];
      for (const [name, open] of shots) {
        await detail(page, `${name}-${theme}.png`, open);
        written++;
        await page.keyboard.press('Escape');
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await app.stop();
    await dev.close();
    await prod.close();
  }
  console.log(`screenshots: ${written} written to ${OUT}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
