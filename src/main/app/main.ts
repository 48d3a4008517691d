import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, shell } from 'electron';
import { version } from '../../../package.json';
import { createCore, type Core } from '../core/create-core';
import { DataDirBusyError } from '../core/data-dir';
import { planForBusyDataDir, type BusyPlan } from '../core/data-dir-busy';
import { createLogger } from '../core/logger';
import { defaultDataDir, ingestPortFromEnv } from '../core/paths';
import { registerIpc } from '../ipc/ipc-main';
import { createSafeStorageBox } from './safe-storage-box';
import { showAlertNotifications } from './alert-notifications';
import { denyPermissions, lockDownContents, rendererUrlPrefix } from './security';

// Window plumbing only: all behaviour lives in the core, shared with the headless host.
const here = fileURLToPath(new URL('.', import.meta.url));
const indexFile = join(here, '../renderer/index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const trustedPrefix = rendererUrlPrefix(devServerUrl, indexFile);
const isTrustedUrl = (url: string) => url.startsWith(trustedPrefix);

/** better-sqlite3 compiled for Electron's ABI by scripts/build-electron-sqlite.mjs. */
const electronSqlite = join(here, '../../build/native/electron/better_sqlite3.node');

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Flightdeck',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  lockDownContents(win.webContents, isTrustedUrl);
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(indexFile);
  return win;
}

/** Another Flightdeck owns the data folder: say so, and offer its console when it has one. */
async function showBusyDataDir(plan: BusyPlan): Promise<void> {
  const buttons = plan.openUrl ? ['Open in browser', 'Quit'] : ['Quit'];
  const { response } = await dialog.showMessageBox({
    type: plan.openUrl ? 'question' : 'warning',
    title: 'Flightdeck',
    message: plan.message,
    buttons,
    defaultId: 0,
    cancelId: buttons.length - 1,
  });
  if (plan.openUrl && response === 0) await shell.openExternal(plan.openUrl);
}

app.setName('Flightdeck');
denyPermissions();
void app.whenReady().then(async () => {
  const logger = createLogger();
  const secretBox = createSafeStorageBox(logger);
  let core: Core;
  try {
    core = createCore({
      dataDir: process.env.FLIGHTDECK_DATA_DIR ?? defaultDataDir(),
      shell: 'desktop',
      logger,
      version,
      ingestPort: ingestPortFromEnv(),
      ...(existsSync(electronSqlite) ? { nativeBinding: electronSqlite } : {}),
      ...(secretBox ? { secretBox } : {}),
    });
  } catch (error) {
    if (!(error instanceof DataDirBusyError)) throw error;
    const plan = planForBusyDataDir(error, 'desktop');
    await showBusyDataDir(plan);
    app.exit(plan.exitCode);
    return;
  }
  const unbind = registerIpc(core, isTrustedUrl);
  const stopNotifications = showAlertNotifications(core);
  createWindow();

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    unbind();
    stopNotifications();
    void core.close().finally(() => app.exit(0));
  });
});
