import type { MenuItemConstructorOptions } from 'electron';
import type { Theme } from '../../shared/contract';
import { AREA_IDS, routeFor, type AreaId } from './deep-link';

const AREA_LABELS: Record<AreaId, string> = {
  instances: 'Instances',
  workflows: 'Workflows',
  drafts: 'Drafts',
  mappings: 'Mappings',
  executions: 'Executions',
  queue: 'Queue',
  approvals: 'Approvals',
  schedules: 'Schedules',
  metrics: 'Metrics and Alerts',
  backups: 'Backups',
  audit: 'Audit Log',
  templates: 'Templates',
  settings: 'Settings',
};

/**
 * An area's shortcut: the console's own Alt+1…9 for the first nine (Option+digit types characters
 * on macOS, so there ⌘1…9, as tabs do); Settings is Alt+0, and ⌘, on macOS where ⌘0 is Actual
 * Size. Areas past the ninth have none (the command palette reaches them).
 */
export function areaAccelerator(area: AreaId, platform: NodeJS.Platform): string | undefined {
  const index = AREA_IDS.indexOf(area);
  const mac = platform === 'darwin';
  if (area === 'settings') return mac ? 'Cmd+,' : 'Alt+0';
  return index < 9 ? `${mac ? 'Cmd' : 'Alt'}+${index + 1}` : undefined;
}

const withAccelerator = (accelerator: string | undefined) => (accelerator ? { accelerator } : {});

/** The theme "Toggle Dark Mode" switches to: the opposite of what shows now. */
export function toggledTheme(current: Theme, systemIsDark: boolean): 'light' | 'dark' {
  const showing = current === 'system' ? (systemIsDark ? 'dark' : 'light') : current;
  return showing === 'dark' ? 'light' : 'dark';
}

export interface AppMenuState {
  platform: NodeJS.Platform;
  /** A source checkout: the developer tools are in the View menu. */
  isDev: boolean;
  closeToTray: boolean;
  openAtLogin: { checked: boolean; available: boolean };
  /** Help → Check for Updates is enabled only with a feed in an installed app. */
  updatesOn: boolean;
}

export interface AppMenuHandlers {
  go(route: string): void;
  toggleDark(): void;
  openDataFolder(): void;
  openLogs(): void;
  openReadme(): void;
  checkForUpdates(): void;
  setCloseToTray(on: boolean): void;
  setOpenAtLogin(on: boolean): void;
}

/** The application menu: File, Edit, Go (the areas), View, Window, Help; the app menu on macOS. */
export function appMenuTemplate(state: AppMenuState, on: AppMenuHandlers): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const checkbox = (label: string, checked: boolean, set: (on: boolean) => void, enabled = true) =>
    ({
      label,
      type: 'checkbox',
      checked,
      enabled,
      click: (item: { checked: boolean }) => set(item.checked),
    }) satisfies MenuItemConstructorOptions;
  const desktopSettings: MenuItemConstructorOptions[] = [
    checkbox('Keep Running When the Window Closes', state.closeToTray, on.setCloseToTray),
    checkbox(
      state.openAtLogin.available ? 'Open at Login' : 'Open at Login (installed app only)',
      state.openAtLogin.checked,
      on.setOpenAtLogin,
      state.openAtLogin.available,
    ),
  ];

  const appMenu: MenuItemConstructorOptions = {
    label: 'Flightdeck',
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      ...desktopSettings,
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: mac
      ? [{ role: 'close' }]
      : [...desktopSettings, { type: 'separator' }, { role: 'close' }, { role: 'quit' }],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'pasteAndMatchStyle' },
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  };
  const go: MenuItemConstructorOptions = {
    label: 'Go',
    submenu: AREA_IDS.map((area) => ({
      label: AREA_LABELS[area],
      ...withAccelerator(areaAccelerator(area, state.platform)),
      click: () => on.go(routeFor({ kind: 'area', area })),
    })),
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      ...(state.isDev ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { label: 'Toggle Dark Mode', accelerator: 'CmdOrCtrl+Shift+D', click: () => on.toggleDark() },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { label: 'Open the Data Folder', click: () => on.openDataFolder() },
      { label: 'Open the Logs Folder', click: () => on.openLogs() },
      { label: 'Read the README', click: () => on.openReadme() },
      { type: 'separator' },
      { label: 'Check for Updates…', enabled: state.updatesOn, click: () => on.checkForUpdates() },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'about' } as const]),
    ],
  };
  return [...(mac ? [appMenu] : []), file, edit, go, view, { role: 'windowMenu' }, help];
}
