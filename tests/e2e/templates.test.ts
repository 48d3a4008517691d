import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { blockingViolations } from './axe';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The Templates area in Chromium against the built host and a loopback fake n8n (2.x, without the
// Flightdeck package): the Flightdeck-node kit's check says it cannot install and why; the scheduled
// report installs from the form, with links to what it made; a second install on that path is
// refused inline. Light and dark screenshots go to FLIGHTDECK_SCREENSHOTS or the temp folder.

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();

describe('the Templates area', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  beforeAll(async () => {
    [browser, app, n8n] = await Promise.all([launchChromium(), startConsole(), startFakeN8n({ version: '2.41.1' })]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await n8n?.close();
  });

  it('checks the Flightdeck-node kit, installs the scheduled report with links, refuses a clash; light and dark', async () => {
    const { id: instanceId } = await callHost<{ id: string }>(app, 'instances:add', {
      name: 'dev',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'dev',
      color: '#2f6fed',
      syncEnabled: false,
    });
    const page = await openConsole(browser, app.url);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId('nav-templates').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Templates');

    // The Flightdeck-node kit: n8n 2.x lists its community packages, and this one lacks it.
    await page.getByTestId('template-flightdeck-approval').click();
    await expect.poll(() => page.url()).toMatch(/#\/templates\/flightdeck-approval$/);
    await expect.poll(() => page.getByTestId('template-instance-input').inputValue()).toBe('dev');
    await page.getByTestId('template-check').click();
    const result = page.getByTestId('template-result');
    await expect.poll(() => result.textContent()).toMatch(/cannot install/);
    expect(await result.textContent()).toMatch(/Community package n8n-nodes-flightdeck is not installed/);
    expect(n8n.state.workflows).toEqual([]);
    expect(await blockingViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'templates-check-light.png') });

    // The scheduled report, installed from the form.
    await page.getByTestId('template-scheduled-report').click();
    await page.getByTestId('template-field-event').fill('report.weekly');
    await page.getByTestId('template-field-webhookPath').fill('reports/weekly');
    await page.getByTestId('template-field-cron').fill('0 7 * * 1');
    await page.getByTestId('template-field-timeZone').fill('Europe/Berlin');
    await expect.poll(() => page.getByTestId('template-instance-input').inputValue()).toBe('dev');
    await page.getByTestId('template-install').click();
    await expect.poll(() => result.textContent(), { timeout: 10_000 }).toMatch(/installed/);
    expect(await result.textContent()).toMatch(/report\.weekly → \/webhook\/reports\/weekly/);
    expect(n8n.state.workflows).toHaveLength(1);
    expect(n8n.state.workflows[0]).toMatchObject({ name: 'Report: report.weekly', active: true });
    const schedules = await callHost<{ schedules: { id: number; name: string }[] }>(app, 'schedules:list', {});
    expect(schedules.schedules.map((s) => s.name)).toEqual(['Report report.weekly']);
    const link = result.getByRole('link', { name: 'Report report.weekly' });
    expect(await link.getAttribute('href')).toBe(`#/schedules/${schedules.schedules[0]!.id}`);
    const workflowHref = await result.getByRole('link', { name: 'Report: report.weekly' }).getAttribute('href');
    expect(workflowHref).toBe(`#/workflows/${encodeURIComponent(instanceId)}/${n8n.state.workflows[0]!.id}`);
    expect(await blockingViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'templates-installed-light.png') });

    // The same path again: refused inline, nothing more in n8n.
    await page.getByTestId('template-install').click();
    await expect
      .poll(() => page.getByTestId('template-error').textContent())
      .toMatch(/already serves \/webhook\/reports\/weekly/);
    expect(n8n.state.workflows).toHaveLength(1);

    // Dark: the check of the Flightdeck-node kit again, then the approval-gated kit's form.
    await callHost(app, 'settings:update', { patch: { theme: 'dark' } });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.getByTestId('template-flightdeck-approval').click();
    await page.getByTestId('template-check').click();
    await expect.poll(() => result.textContent()).toMatch(/cannot install/);
    expect(await blockingViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'templates-check-dark.png') });
    await page.getByTestId('template-approval-gated-webhook').click();
    await page.getByTestId('template-check').click();
    await expect.poll(() => result.textContent()).toMatch(/ready to install/);
    await page.screenshot({ path: join(shots, 'templates-ready-dark.png') });

    // The workflow link opens the workflow the kit made (the install asked the instance for a sync).
    await page.evaluate((h) => {
      location.hash = h;
    }, workflowHref!);
    await page.getByTestId('workflow-detail').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.getByTestId('workflow-detail').textContent(), { timeout: 15_000 })
      .toMatch(/Report: report\.weekly/);
  });
});
