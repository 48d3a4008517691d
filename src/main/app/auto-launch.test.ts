import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../core/testing/test-core';
import {
  AUTOSTART_FILE,
  autoLaunchSupport,
  isOpenAtLogin,
  quoteExec,
  setOpenAtLogin,
  type AutoLaunchEnv,
  type LoginItems,
} from './auto-launch';

function fakeLoginItems() {
  const calls: { openAtLogin: boolean; args?: string[] }[] = [];
  let on = false;
  const items: LoginItems = {
    getLoginItemSettings: () => ({ openAtLogin: on }),
    setLoginItemSettings: (s) => {
      calls.push(s);
      on = s.openAtLogin;
    },
  };
  return { items, calls };
}

describe('open at login', () => {
  let dir: ReturnType<typeof tempDir>;
  let linux: AutoLaunchEnv;
  beforeEach(() => {
    dir = tempDir();
    linux = {
      platform: 'linux',
      isPackaged: true,
      executable: '/home/op/Apps/Flightdeck 0.1.0.AppImage',
      autostartDir: join(dir.path, 'autostart'),
    };
  });
  afterEach(() => dir.remove());

  it('Linux: writes and removes an XDG autostart entry that starts hidden', () => {
    const { items, calls } = fakeLoginItems();
    expect(isOpenAtLogin(linux, items)).toBe(false);
    setOpenAtLogin(true, linux, items);
    const entry = readFileSync(join(linux.autostartDir, AUTOSTART_FILE), 'utf8');
    expect(entry).toContain('Exec="/home/op/Apps/Flightdeck 0.1.0.AppImage" --hidden\n');
    expect(isOpenAtLogin(linux, items)).toBe(true);
    setOpenAtLogin(false, linux, items);
    expect(existsSync(join(linux.autostartDir, AUTOSTART_FILE))).toBe(false);
    setOpenAtLogin(false, linux, items); // already off: fine
    expect(calls).toEqual([]);
  });

  it('macOS and Windows: the OS login items (Windows also starts hidden)', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const { items, calls } = fakeLoginItems();
      const env = { ...linux, platform };
      setOpenAtLogin(true, env, items);
      expect(isOpenAtLogin(env, items)).toBe(true);
      setOpenAtLogin(false, env, items);
      expect(calls).toEqual(
        platform === 'win32'
          ? [
              { openAtLogin: true, args: ['--hidden'] },
              { openAtLogin: false, args: ['--hidden'] },
            ]
          : [{ openAtLogin: true }, { openAtLogin: false }],
      );
      expect(existsSync(linux.autostartDir)).toBe(false);
    }
  });

  it('from a source checkout it is unavailable, and says why', () => {
    const source = { ...linux, isPackaged: false };
    expect(autoLaunchSupport(source)).toEqual({ available: false, reason: 'only the installed app can open at login' });
    expect(() => setOpenAtLogin(true, source, fakeLoginItems().items)).toThrow(/only the installed app/);
    expect(isOpenAtLogin(source, fakeLoginItems().items)).toBe(false);
  });

  it('quotes the Exec path as the desktop entry spec asks', () => {
    expect(quoteExec('/opt/a b/fd')).toBe('"/opt/a b/fd"');
    expect(quoteExec('/x/"$HOME`\\100%')).toBe('"/x/\\"\\$HOME\\`\\\\100%%"');
  });
});
