import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/** Why the desktop app cannot be launched on this machine, or null when it can. */
function electronUnavailable(): string | null {
  const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  const binary = existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8')) : null;
  if (!binary || !existsSync(binary)) return "Electron's binary is not installed here (it cannot be downloaded)";
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display';
  return null;
}

const reason = electronUnavailable();
if (reason) console.log(`Skipping the Electron end-to-end test: ${reason}.`);

describe('the desktop app (Electron)', () => {
  it.skipIf(reason !== null)('opens the window, loads the console over IPC and keeps a setting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-electron-'));
    const app = await electron.launch({
      args: ['.'],
      env: { ...process.env, FLIGHTDECK_DATA_DIR: dataDir, FLIGHTDECK_INGEST_PORT: 'off' },
    });
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
});
