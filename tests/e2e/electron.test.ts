import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/core/create-core';

const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version as string;
const executable =
  { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' }[process.platform as string] ?? 'electron';
const electronBinary = join(electronDir, 'dist', executable);
const electronSqlite = join('build', 'native', 'electron', 'better_sqlite3.node');

/** Why the desktop app cannot be launched on this machine, or null when it can. */
function electronUnavailable(): string | null {
  const versionFile = join(electronDir, 'dist', 'version');
  const installed =
    existsSync(electronBinary) &&
    existsSync(versionFile) &&
    readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') === electronVersion;
  if (!installed) return `Electron ${electronVersion}'s binary is not installed here (it cannot be downloaded)`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display';
  return null;
}

const reason = electronUnavailable();
if (reason) console.log(`Skipping the Electron end-to-end tests: ${reason}.`);

/** What main exposes with FLIGHTDECK_TEST_HOOKS=1 (src/main/app/main.ts). */
interface TestHooks {
  trayView(): { badgeCount: number; tooltip: string; attention: boolean } | null;
  hasTray(): boolean;
}

const launchEnv = (dataDir: string) => ({
  ...process.env,
  FLIGHTDECK_DATA_DIR: dataDir,
  FLIGHTDECK_INGEST_PORT: 'off',
  FLIGHTDECK_TEST_HOOKS: '1',
});

describe.skipIf(reason !== null)('the desktop app (Electron)', () => {
  beforeAll(() => {
    // What `npm start` does before launching: better-sqlite3 for Electron's ABI (once).
    const built = spawnSync(process.execPath, ['scripts/build-electron-sqlite.mjs'], { stdio: 'inherit' });
    expect(built.status).toBe(0);
  });

  it('opens the window, loads the console over IPC and keeps a setting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-electron-'));
    const app = await electron.launch({ args: ['.'], env: launchEnv(dataDir) });
    try {
      const page = await app.firstWindow();
      await page.locator('[data-app-state="ready"]').waitFor();
      await page.getByTestId('nav-settings').click();
      expect(await page.getByTestId('data-dir').textContent()).toBe(dataDir);
      // The renderer has no Node and no ipcRenderer: only the typed bridge.
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('with a pending approval', () => {
    let dataDir: string;
    let app: ElectronApplication;
    let page: Page;
    let approvalId: number;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-electron-tray-'));
      // Seeded through Node's better-sqlite3; the app then opens the same store with Electron's build.
      const core = createCore({ dataDir });
      const must = async <T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>) => {
        const r = await p;
        if (!r.ok) throw new Error(JSON.stringify(r.error));
        return r.data as T;
      };
      const instance = await must(
        core.call('instances:add', {
          name: 'prod',
          baseUrl: 'http://127.0.0.1:9',
          apiKey: 'seed-key-123456',
          environment: 'prod',
          color: '#2f6fed',
          syncEnabled: false,
        }),
      );
      await must(
        core.call('mappings:create', {
          mapping: {
            event: 'refund.requested',
            name: 'Refund',
            instanceId: instance.id,
            webhookPath: 'refund',
            priority: 1,
            requiresApproval: true,
          },
        }),
      );
      await must(core.call('ingest:emit', { event: 'refund.requested', payload: { amount: 120 } }));
      const { items } = await must(core.call('approvals:list', { filter: { status: 'open' } }));
      approvalId = items[0]!.id;
      await core.close();

      app = await electron.launch({ args: ['.'], env: launchEnv(dataDir) });
      page = await app.firstWindow();
      await page.locator('[data-app-state="ready"]').waitFor();
    });
    afterAll(async () => {
      await app?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("opens the store with Electron's better-sqlite3 build", async () => {
      expect(existsSync(electronSqlite)).toBe(true);
      const count = await page.evaluate(() =>
        (window as unknown as { api: { call(c: string, i: unknown): Promise<unknown> } }).api.call(
          'approvals:count',
          {},
        ),
      );
      expect(count).toEqual({ ok: true, data: { pending: 1, high: 1 } });
    });

    it('shows the pending approval in the tray and the badge', async () => {
      const tray = () =>
        app.evaluate(() =>
          (globalThis as unknown as { flightdeckTestHooks: TestHooks }).flightdeckTestHooks.trayView(),
        );
      const hasTray = await app.evaluate(() =>
        (globalThis as unknown as { flightdeckTestHooks: TestHooks }).flightdeckTestHooks.hasTray(),
      );
      if (!hasTray) return console.log('This desktop has no system tray: the tray check is left out.');
      await expect.poll(async () => (await tray())?.badgeCount, { timeout: 10_000 }).toBe(1);
      expect(await tray()).toMatchObject({ attention: true, tooltip: 'Flightdeck: 1 approval pending (1 urgent)' });
    });

    it('a second launch with a flightdeck:// link hands it to the running window and exits', async () => {
      const second = spawn(electronBinary, ['.', `flightdeck://approvals/${approvalId}`], {
        env: launchEnv(dataDir),
        stdio: 'ignore',
      });
      const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
      expect(code).toBe(0);
      await expect
        .poll(() => page.evaluate(() => location.hash), { timeout: 10_000 })
        .toBe(`#/approvals/${approvalId}`);
      // Only one window: the second launch did not open its own.
      expect(app.windows()).toHaveLength(1);
    });
  });
});
