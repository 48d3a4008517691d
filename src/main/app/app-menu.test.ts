import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate, toggledTheme, type AppMenuHandlers, type AppMenuState } from './app-menu';

/** Accelerators Electron gives these roles (its default keys), to check nothing is bound twice. */
const ROLE_KEYS: Record<string, string> = {
  undo: 'CmdOrCtrl+Z',
  redo: 'Shift+CmdOrCtrl+Z',
  cut: 'CmdOrCtrl+X',
  copy: 'CmdOrCtrl+C',
  paste: 'CmdOrCtrl+V',
  pasteAndMatchStyle: 'Shift+CmdOrCtrl+V',
  selectAll: 'CmdOrCtrl+A',
  reload: 'CmdOrCtrl+R',
  forceReload: 'Shift+CmdOrCtrl+R',
  toggleDevTools: 'Alt+CmdOrCtrl+I',
  resetZoom: 'CmdOrCtrl+0',
  zoomIn: 'CmdOrCtrl+Plus',
  zoomOut: 'CmdOrCtrl+-',
  close: 'CmdOrCtrl+W',
  quit: 'CmdOrCtrl+Q',
  hide: 'Cmd+H',
  hideOthers: 'Cmd+Alt+H',
};

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

/** One key binding as a comparable string on a platform (CmdOrCtrl resolved, modifiers sorted). */
function normalise(accelerator: string, platform: NodeJS.Platform): string {
  const parts = accelerator.split('+').map((p) => (p === 'CmdOrCtrl' ? (platform === 'darwin' ? 'Cmd' : 'Ctrl') : p));
  const key = parts.pop()!;
  return [...parts.sort(), key].join('+');
}

function menu(over: Partial<AppMenuState> = {}) {
  const calls: string[] = [];
  const handlers: AppMenuHandlers = {
    go: (route) => calls.push(`go ${route}`),
    toggleDark: () => calls.push('dark'),
    openDataFolder: () => calls.push('data'),
    openLogs: () => calls.push('logs'),
    openReadme: () => calls.push('readme'),
    checkForUpdates: () => calls.push('updates'),
    setCloseToTray: (on) => calls.push(`tray ${on}`),
    setOpenAtLogin: (on) => calls.push(`login ${on}`),
  };
  const state: AppMenuState = {
    platform: 'linux',
    isDev: false,
    closeToTray: false,
    openAtLogin: { checked: false, available: true },
    updatesOn: false,
    ...over,
  };
  const template = appMenuTemplate(state, handlers);
  const find = (label: string) => {
    const item = flatten(template).find((i) => i.label === label);
    if (!item) throw new Error(`no "${label}"`);
    return item;
  };
  const click = (label: string, checked?: boolean) =>
    (find(label).click as unknown as (item: { checked?: boolean }) => void)({ checked });
  return { template, calls, find, click };
}

describe('application menu', () => {
  it('has the menus a desktop app has, with the app menu first on macOS', () => {
    const top = (m: MenuItemConstructorOptions[]) => m.map((i) => i.label ?? i.role);
    expect(top(menu().template)).toEqual(['File', 'Edit', 'Go', 'View', 'windowMenu', 'help']);
    expect(top(menu({ platform: 'darwin' }).template)).toEqual([
      'Flightdeck',
      'File',
      'Edit',
      'Go',
      'View',
      'windowMenu',
      'help',
    ]);
    const edit = menu().find('Edit').submenu as MenuItemConstructorOptions[];
    expect(edit.map((i) => i.role).filter(Boolean)).toEqual([
      'undo',
      'redo',
      'cut',
      'copy',
      'paste',
      'pasteAndMatchStyle',
      'delete',
      'selectAll',
    ]);
  });

  it('Go lists every area with its shortcut and opens it', () => {
    const linux = menu();
    const go = linux.find('Go').submenu as MenuItemConstructorOptions[];
    expect(go.map((i) => `${i.label} ${i.accelerator}`)).toEqual([
      'Instances Alt+1',
      'Workflows Alt+2',
      'Drafts Alt+3',
      'Mappings Alt+4',
      'Executions Alt+5',
      'Queue Alt+6',
      'Approvals Alt+7',
      'Schedules Alt+8',
      'Metrics and Alerts Alt+9',
      'Backups undefined',
      'Audit Log undefined',
      'Templates undefined',
      'Settings Alt+0',
    ]);
    linux.click('Approvals');
    linux.click('Settings');
    expect(linux.calls).toEqual(['go #/approvals', 'go #/settings']);
    const mac = menu({ platform: 'darwin' }).find('Go').submenu as MenuItemConstructorOptions[];
    expect(mac.map((i) => i.accelerator)).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `Cmd+${n}`),
      undefined,
      undefined,
      undefined,
      'Cmd+,',
    ]);
  });

  it('binds no key twice, on any platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const keys = flatten(menu({ platform, isDev: true }).template)
        .map((i) => i.accelerator ?? (i.role ? ROLE_KEYS[i.role] : undefined))
        .filter((k): k is string => typeof k === 'string')
        .map((k) => normalise(k, platform));
      expect(keys.length).toBeGreaterThan(20);
      expect(new Set(keys).size, `${platform}: ${keys.join(' ')}`).toBe(keys.length);
    }
  });

  it('View toggles dark mode; Help opens the data folder, logs, README and checks for updates', () => {
    const m = menu({ updatesOn: true });
    m.click('Toggle Dark Mode');
    m.click('Open the Data Folder');
    m.click('Open the Logs Folder');
    m.click('Read the README');
    m.click('Check for Updates…');
    expect(m.calls).toEqual(['dark', 'data', 'logs', 'readme', 'updates']);
    expect(menu().find('Check for Updates…').enabled).toBe(false);
    expect(flatten(menu().template).some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(flatten(menu({ isDev: true }).template).some((i) => i.role === 'toggleDevTools')).toBe(true);
  });

  it('the desktop settings are checkboxes; open at login is greyed out where it cannot work', () => {
    const m = menu({ closeToTray: true, openAtLogin: { checked: false, available: false } });
    expect(m.find('Keep Running When the Window Closes')).toMatchObject({ type: 'checkbox', checked: true });
    expect(m.find('Open at Login (installed app only)').enabled).toBe(false);
    m.click('Keep Running When the Window Closes', false);
    expect(m.calls).toEqual(['tray false']);
    const installed = menu();
    installed.click('Open at Login', true);
    expect(installed.calls).toEqual(['login true']);
  });
});

describe('toggle dark mode', () => {
  it('switches to the opposite of what shows, the system theme included', () => {
    expect(toggledTheme('light', true)).toBe('dark');
    expect(toggledTheme('dark', false)).toBe('light');
    expect(toggledTheme('system', true)).toBe('light');
    expect(toggledTheme('system', false)).toBe('dark');
  });
});
