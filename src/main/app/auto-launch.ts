import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** A launch at login starts hidden in the tray (the window opens from the tray or a second launch). */
export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE = 'flightdeck.desktop';

/** Electron's login-item calls (macOS, Windows). */
export interface LoginItems {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface AutoLaunchEnv {
  platform: NodeJS.Platform;
  /** Only an installed app registers itself: from source, "at login" would mean `electron .` in some folder. */
  isPackaged: boolean;
  /** The program to start: the AppImage file itself for an AppImage (APPIMAGE), else the executable. */
  executable: string;
  /** Linux: `$XDG_CONFIG_HOME/autostart` (default ~/.config/autostart). */
  autostartDir: string;
}

/** Whether this install can open at login, and why not. */
export function autoLaunchSupport(env: AutoLaunchEnv): { available: true } | { available: false; reason: string } {
  if (!env.isPackaged) return { available: false, reason: 'only the installed app can open at login' };
  if (!['darwin', 'win32', 'linux'].includes(env.platform))
    return { available: false, reason: `not supported on ${env.platform}` };
  return { available: true };
}

/** A value for a desktop entry's Exec line, quoted as the Desktop Entry Specification asks. */
export function quoteExec(path: string): string {
  return `"${path.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

/** The XDG autostart entry that starts Flightdeck hidden at login. */
export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Flightdeck',
    'Comment=Operations console for n8n',
    `Exec=${quoteExec(executable)} ${HIDDEN_FLAG}`,
    'Icon=flightdeck',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Whether the OS will open Flightdeck at login now. */
export function isOpenAtLogin(env: AutoLaunchEnv, loginItems: LoginItems): boolean {
  if (!autoLaunchSupport(env).available) return false;
  if (env.platform === 'linux') return existsSync(join(env.autostartDir, AUTOSTART_FILE));
  return loginItems.getLoginItemSettings().openAtLogin;
}

/** Registers or removes the login item (Linux: the autostart entry). Throws when the OS refuses. */
export function setOpenAtLogin(on: boolean, env: AutoLaunchEnv, loginItems: LoginItems): void {
  const support = autoLaunchSupport(env);
  if (!support.available) throw new Error(`Flightdeck cannot open at login here: ${support.reason}.`);
  if (env.platform === 'linux') {
    const file = join(env.autostartDir, AUTOSTART_FILE);
    if (!on) return rmSync(file, { force: true });
    mkdirSync(env.autostartDir, { recursive: true });
    writeFileSync(file, autostartEntry(env.executable), { mode: 0o644 });
    return;
  }
  loginItems.setLoginItemSettings({ openAtLogin: on, ...(env.platform === 'win32' ? { args: [HIDDEN_FLAG] } : {}) });
}
