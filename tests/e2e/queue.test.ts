import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { callHost, launchChromium, openConsole, startConsole, type ConsoleProcess } from './console';

// The Queue area in Chromium against the built host: empty state, an instance that does not
// answer (its runs wait on a hold, shown with the reason), dead letters with reasons, pause and
// resume of a mapping, requeue, purge with confirmation, keyboard, light and dark screenshots
// (written to FLIGHTDECK_SCREENSHOTS or the temp folder).

const shots = process.env.FLIGHTDECK_SCREENSHOTS ?? (await import('node:os')).tmpdir();

describe('the Queue area', () => {
  let browser: Browser;
  let app: ConsoleProcess;
  // Two fake n8n instances: one stopped (connections refused) and one with no workflows, whose
  // webhooks all answer n8n's 404 "not registered".
  let down: FakeN8n;
  let gone: FakeN8n;
  beforeAll(async () => {
    [browser, app, down, gone] = await Promise.all([launchChromium(), startConsole(), startFakeN8n(), startFakeN8n()]);
    await down.stop();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await Promise.all([down?.close(), gone?.close()]);
  });

  const call = <T>(channel: string, input: unknown) => callHost<T>(app, channel, input);

  it('shows holds, dead letters and depth by name; pauses, requeues and purges; light and dark', async () => {
    const page = await openConsole(browser, app.url);
    await page.keyboard.press('Alt+6');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Queue');
    await expect.poll(() => page.getByTestId('empty-state').textContent()).toMatch(/Nothing queued yet/);

    const offline = await call<{ id: string }>('instances:add', {
      name: 'prod-eu',
      baseUrl: down.baseUrl,
      apiKey: down.apiKey,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    const staging = await call<{ id: string }>('instances:add', {
      name: 'staging',
      baseUrl: gone.baseUrl,
      apiKey: gone.apiKey,
      environment: 'staging',
      color: '#8a2be2',
      syncEnabled: false,
    });
    await call('mappings:create', {
      mapping: { event: 'order.created', name: 'Orders to ERP', instanceId: offline.id, webhookPath: 'orders' },
    });
    await call('mappings:create', {
      mapping: { event: 'invoice.sent', name: 'Invoices', instanceId: staging.id, webhookPath: 'invoices' },
    });
    for (let i = 0; i < 6; i++) await call('ingest:emit', { event: 'order.created', payload: { i } });
    for (let i = 0; i < 3; i++) await call('ingest:emit', { event: 'invoice.sent', payload: { i } });

    // The offline instance's runs wait on a hold, with its reason; no attempt spent.
    const prod = page.getByTestId('queue-instance-prod-eu');
    await expect
      .poll(() => prod.getByTestId('queue-hold').textContent(), { timeout: 20_000 })
      .toMatch(/Runs waiting for prod-eu \(offline since .*\): connection refused \(ECONNREFUSED\)/);
    await expect.poll(() => prod.getByTestId('queue-health').getAttribute('data-state')).toBe('down');
    await expect.poll(() => page.getByTestId('tile-held').textContent()).toMatch(/^6/);
    await expect.poll(() => page.getByTestId('queue-job').count()).toBe(6);
    await expect.poll(() => page.getByTestId('queue-job-reason').first().textContent()).toMatch(/Waiting for prod-eu/);
    expect(await page.getByTestId('queue-mapping-Orders to ERP').textContent()).toMatch(/Orders to ERP.*prod-eu/);

    // Dead letters, with n8n's reason.
    await page.getByTestId('queue-view-dead').click();
    await expect.poll(() => page.getByTestId('queue-job').count(), { timeout: 20_000 }).toBe(3);
    expect(await page.getByTestId('queue-job-reason').first().textContent()).toMatch(/no active webhook/);
    expect(gone.state.doorCalls.map((c) => c.path)).toEqual(Array(3).fill('/webhook/invoices'));

    // The whole area in one picture: a tall window, scrolled to the top.
    await page.setViewportSize({ width: 1280, height: 1300 });
    await page.locator('.content').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: `${shots}/queue-light.png` });
    await call('settings:update', { patch: { theme: 'dark' } });
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.screenshot({ path: `${shots}/queue-dark.png` });
    await call('settings:update', { patch: { theme: 'light' } });

    // Keyboard: j moves, x selects, r requeues the selection (they come back as dead letters).
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.keyboard.press('r');
    await expect.poll(() => page.getByTestId('queue-notice').textContent()).toMatch(/Requeued 1/);

    // Pause and resume a mapping.
    const invoices = page.getByTestId('queue-mapping-Invoices');
    await invoices.getByTestId('queue-mapping-pause').click();
    await expect.poll(() => invoices.textContent()).toMatch(/paused/);
    await invoices.getByTestId('queue-mapping-pause').click();
    await expect.poll(() => invoices.textContent()).not.toMatch(/paused/);

    // Purge the dead letters of one mapping, after a confirmation that says how many.
    await page.getByTestId('queue-filter-mapping').selectOption({ label: 'Invoices' });
    await page.getByTestId('queue-view-dead').click();
    await expect.poll(() => page.getByTestId('queue-job').count(), { timeout: 20_000 }).toBe(3);
    await page.getByTestId('queue-purge').click();
    await expect.poll(() => page.getByTestId('confirm-dialog').textContent()).toMatch(/Purge 3 dead letters\?/);
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('queue-notice').textContent()).toMatch(/Purged 3 dead letters/);
    await expect.poll(() => page.getByTestId('queue-jobs-empty').isVisible()).toBe(true);

    // The instance badge says it too.
    await page.getByTestId('nav-instances').click();
    const card = page.getByTestId('instance-prod-eu');
    await expect.poll(() => card.getByTestId('instance-state').textContent()).toBe('Offline');
    await expect.poll(() => card.getByTestId('instance-health').textContent()).toMatch(/connection refused/);
  });
});
