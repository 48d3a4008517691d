import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, nativeTheme, Notification, screen, shell } from 'electron';
import { version } from '../../../package.json';
import { createCore, type Core } from '../core/create-core';
import { DataDirBusyError } from '../core/data-dir';
import { planForBusyDataDir, type BusyPlan } from '../core/data-dir-busy';
import { createLogger } from '../core/logger';
import { defaultDataDir, ingestPortFromEnv } from '../core/paths';
import { registerIpc } from '../ipc/ipc-main';
import { appMenuTemplate, toggledTheme } from './app-menu';
import { autoLaunchSupport, HIDDEN_FLAG, isOpenAtLogin, setOpenAtLogin, type AutoLaunchEnv } from './auto-launch';
import { DEEP_LINK_SCHEME } from './deep-link';
import { DesktopActions } from './desktop-actions';
import { DesktopPrefsStore } from './desktop-prefs';
import { createTrayHost, nativeDialogs, notificationSurface } from './electron-surfaces';
import { logFileWriter } from './log-file';
import { followNotifications } from './notifications';
import { createSafeStorageBox } from './safe-storage-box';
import { denyPermissions, lockDownContents, rendererUrlPrefix } from './security';
import { claimSingleInstance, DeepLinkRouter, profileDirFor } from './single-instance';
import { TrayController } from './tray-controller';
import { parseUpdateFeed, startUpdateChecks, type UpdaterLike } from './updates';
import { MIN_WINDOW, placeWindow, WindowStateStore } from './window-state';

// Wiring only: every decision lives in the plain modules beside this file (tested without
// Electron) and in the core, which the headless host shares.
const here = fileURLToPath(new URL('.', import.meta.url));
const indexFile = join(here, '../renderer/index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const trustedPrefix = rendererUrlPrefix(devServerUrl, indexFile);
const isTrustedUrl = (url: string) => url.startsWith(trustedPrefix);
const platform = process.platform;

/** better-sqlite3 compiled for Electron's ABI by scripts/build-electron-sqlite.mjs (source checkouts). */
const electronSqlite = join(here, '../../build/native/electron/better_sqlite3.node');
/** Installed: electron-builder's extraResources; from source: the generated files in build/. */
const resources = app.isPackaged ? process.resourcesPath : join(here, '../../build');
const trayDir = join(resources, 'tray');
const windowIcon = app.isPackaged ? join(resources, 'icon.png') : join(resources, 'icons', '512x512.png');
const readme = app.isPackaged ? join(resources, 'README.md') : join(here, '../../README.md');

const dataDir = process.env.FLIGHTDECK_DATA_DIR ?? defaultDataDir();
const logsDir =
  platform === 'darwin' ? join(app.getPath('home'), 'Library', 'Logs', 'Flightdeck') : join(dataDir, 'logs');
const logger = createLogger({ write: logFileWriter(logsDir) });

app.setName('Flightdeck');
// One profile per data folder, before anything reads it: the single-instance lock lives there.
const profile = profileDirFor(dataDir, app.getPath('userData'));
if (profile) app.setPath('userData', profile);

const windowState = new WindowStateStore(dataDir, logger);
const prefs = new DesktopPrefsStore(dataDir, logger);
let mainWindow: BrowserWindow | null = null;
let quitting = false;
let hasTray = false;
const router = new DeepLinkRouter((link) => logger.warn('Refused a flightdeck:// link', { link: link.slice(0, 120) }));
const instance = claimSingleInstance(app, process.argv, {
  focus: () => showWindow(),
  openLink: (link) => router.open(link),
});

if (instance.role === 'secondary') {
  // The running Flightdeck on this data folder has this launch's link and comes forward.
  app.quit();
} else {
  if (instance.initialLink) router.open(instance.initialLink);
  if (app.isPackaged && platform !== 'linux') app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  denyPermissions();
  void app.whenReady().then(start);
}

function showWindow(route?: string): void {
  if (route) router.go(route);
  if (!app.isReady()) return;
  if (!mainWindow) {
    mainWindow = createWindow(true);
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function createWindow(visible: boolean): BrowserWindow {
  const placement = placeWindow(
    windowState.load(),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    width: placement.width,
    height: placement.height,
    ...(placement.x !== undefined && placement.y !== undefined ? { x: placement.x, y: placement.y } : {}),
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    title: 'Flightdeck',
    show: false,
    ...(platform === 'linux' && existsSync(windowIcon) ? { icon: windowIcon } : {}),
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  lockDownContents(win.webContents, isTrustedUrl);
  const stopTracking = windowState.track(win, logger);
  win.once('ready-to-show', () => {
    if (placement.maximized) win.maximize();
    if (visible) win.show();
  });
  // The first route goes into the URL itself; later links become hash changes in the page.
  const route = router.takePending();
  if (devServerUrl) void win.loadURL(devServerUrl + (route ?? ''));
  else void win.loadFile(indexFile, route ? { hash: route.slice(1) } : {});
  win.webContents.once('did-finish-load', () =>
    router.attach((next) => {
      // `next` is built by routeFor from checked parts (letters, digits, "-", "/"): safe to embed.
      void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(next)}`).catch(() => undefined);
    }),
  );
  win.on('close', (event) => {
    if (quitting || !hasTray || !prefs.get().closeToTray) return;
    // Keep running in the tray: queues, schedules and approvals go on; the tray brings it back.
    event.preventDefault();
    win.hide();
  });
  win.on('closed', () => {
    stopTracking();
    router.detach();
    if (mainWindow === win) mainWindow = null;
  });
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

async function start(): Promise<void> {
  const secretBox = createSafeStorageBox(logger);
  let core: Core;
  try {
    core = createCore({
      dataDir,
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
  const dialogs = nativeDialogs(() => mainWindow);
  const actions = new DesktopActions(core, dialogs, logger);

  const setCloseToTray = (on: boolean) => {
    try {
      prefs.update({ closeToTray: on });
    } catch (error) {
      dialogs.report(`Could not save the setting: ${error instanceof Error ? error.message : String(error)}`);
      renderMenu();
      trayController?.render();
    }
  };
  const tray = createTrayHost(
    trayDir,
    platform,
    () => mainWindow,
    () => showWindow(),
  );
  hasTray = tray !== null;
  const trayController = tray
    ? new TrayController(
        core,
        actions,
        tray.host,
        {
          showWindow,
          quit: () => app.quit(),
          closeToTray: () => prefs.get().closeToTray,
          setCloseToTray: (on) => setCloseToTray(on),
        },
        logger,
      )
    : null;
  const stopTray = trayController?.start() ?? (() => undefined);

  const stopNotifications = followNotifications(
    core,
    notificationSurface(platform, existsSync(windowIcon) ? windowIcon : undefined),
    {
      open: (route) => showWindow(route),
      decide: (id, decision) => void actions.decide(id, decision, 'notification'),
    },
  );

  const updates = startUpdateChecks({
    feed: updateFeed(),
    isPackaged: app.isPackaged,
    loadUpdater,
    logger,
    onDownloaded: (next) =>
      Notification.isSupported() &&
      new Notification({ title: `Flightdeck ${next} is ready`, body: 'It installs when Flightdeck quits.' }).show(),
  });

  const autoLaunchEnv: AutoLaunchEnv = {
    platform,
    isPackaged: app.isPackaged,
    executable: process.env.APPIMAGE ?? process.execPath,
    autostartDir: join(process.env.XDG_CONFIG_HOME ?? join(app.getPath('home'), '.config'), 'autostart'),
  };
  const loginAvailable = autoLaunchSupport(autoLaunchEnv).available;
  const applyOpenAtLogin = (on: boolean) => {
    try {
      if (loginAvailable && isOpenAtLogin(autoLaunchEnv, app) !== on) setOpenAtLogin(on, autoLaunchEnv, app);
      prefs.update({ openAtLogin: on });
    } catch (error) {
      dialogs.report(`Could not change "Open at Login": ${error instanceof Error ? error.message : String(error)}`);
      renderMenu();
    }
  };

  const openPath = (path: string) =>
    void shell.openPath(path).then((problem) => problem && dialogs.report(`Could not open ${path}: ${problem}`));
  const renderMenu = () => {
    const p = prefs.get();
    const template = appMenuTemplate(
      {
        platform,
        isDev: !app.isPackaged,
        closeToTray: p.closeToTray,
        openAtLogin: { checked: p.openAtLogin, available: loginAvailable },
        updatesOn: updates.state() === 'on',
      },
      {
        go: (route) => showWindow(route),
        toggleDark: () => void toggleDark(core),
        openDataFolder: () => openPath(dataDir),
        openLogs: () => openPath(logsDir),
        openReadme: () => openPath(readme),
        checkForUpdates: () =>
          void updates.checkNow().then((message) => dialog.showMessageBox({ type: 'info', title: 'Updates', message })),
        setCloseToTray: (on) => setCloseToTray(on),
        setOpenAtLogin: applyOpenAtLogin,
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  // The OS is the truth for "open at login" (it can be switched off in the system settings too).
  try {
    const atLogin = isOpenAtLogin(autoLaunchEnv, app);
    if (loginAvailable && atLogin !== prefs.get().openAtLogin) prefs.update({ openAtLogin: atLogin });
  } catch (error) {
    logger.warn('Could not read whether Flightdeck opens at login', { error });
  }
  renderMenu();
  const stopPrefs = prefs.onChange(() => {
    renderMenu();
    trayController?.render();
  });

  // Started at login: stay in the tray (where there is one) until asked for.
  mainWindow = createWindow(!(process.argv.includes(HIDDEN_FLAG) && hasTray));
  trayController?.render(); // the taskbar overlay needs the window
  exposeTestHooks(trayController);

  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => (quitting = true));
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    unbind();
    stopNotifications();
    stopTray();
    stopPrefs();
    updates.stop();
    tray?.destroy();
    void core.close().finally(() => app.exit(0));
  });
}

async function toggleDark(core: Core): Promise<void> {
  const current = await core.call('settings:get', {});
  if (!current.ok) return;
  const theme = toggledTheme(current.data.theme, nativeTheme.shouldUseDarkColors);
  await core.call('settings:update', { patch: { theme } });
}

/** FLIGHTDECK_UPDATE_FEED wins over desktop.json's `updates`; a bad value is logged and means off. */
function updateFeed() {
  const fromEnv = parseUpdateFeed(process.env.FLIGHTDECK_UPDATE_FEED);
  if ('error' in fromEnv) {
    logger.warn('Updates are off', { reason: fromEnv.error });
    return null;
  }
  return process.env.FLIGHTDECK_UPDATE_FEED ? fromEnv.feed : prefs.get().updates;
}

/** electron-updater, loaded only when a feed is set (a name the bundler leaves alone: it ships in node_modules). */
async function loadUpdater(): Promise<UpdaterLike> {
  const name = 'electron-updater';
  const loaded = (await import(/* @vite-ignore */ name)) as {
    autoUpdater?: UpdaterLike;
    default?: { autoUpdater?: UpdaterLike };
  };
  const updater = loaded.autoUpdater ?? loaded.default?.autoUpdater;
  if (!updater) throw new Error('electron-updater has no autoUpdater');
  return updater;
}

/** For tests/e2e/electron.test.ts only (FLIGHTDECK_TEST_HOOKS=1): what the tray shows now. */
function exposeTestHooks(trayController: TrayController | null): void {
  if (process.env.FLIGHTDECK_TEST_HOOKS !== '1') return;
  Object.assign(globalThis, {
    flightdeckTestHooks: {
      trayView: () => trayController?.view() ?? null,
      refreshTray: () => trayController?.refresh(),
      hasTray: () => hasTray,
    },
  });
}
