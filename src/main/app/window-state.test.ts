import { EventEmitter } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../core/logger';
import { tempDir } from '../core/testing/test-core';
import { DesktopPrefsStore } from './desktop-prefs';
import { placeWindow, WINDOW_STATE_FILE, WindowStateStore, type Rect, type TrackedWindow } from './window-state';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 870 };
const rightMonitor: Rect = { x: 1440, y: 0, width: 2560, height: 1400 };

describe('window placement', () => {
  it('opens at the default size, centred, the first time', () => {
    expect(placeWindow(null, [laptop])).toEqual({ width: 1280, height: 820, maximized: false });
  });

  it('reopens where it was when that place is still on a screen', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1800, height: 1000 }, maximized: true };
    expect(placeWindow(saved, [laptop, rightMonitor])).toEqual({
      x: 1600,
      y: 100,
      width: 1800,
      height: 1000,
      maximized: true,
    });
  });

  it('comes back onto a screen after a monitor was unplugged, no larger than the screens left', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1800, height: 1000 }, maximized: false };
    expect(placeWindow(saved, [laptop])).toEqual({ width: 1440, height: 870, maximized: false });
  });

  it('needs a grabbable piece of the title bar on screen, and never shrinks below the minimum', () => {
    const justOff = { bounds: { x: 1400, y: 10, width: 900, height: 600 }, maximized: false };
    expect(placeWindow(justOff, [laptop]).x).toBeUndefined();
    const above = { bounds: { x: 100, y: -600, width: 900, height: 600 }, maximized: false };
    expect(placeWindow(above, [laptop]).x).toBeUndefined();
    const tiny = { bounds: { x: 10, y: 10, width: 20, height: 20 }, maximized: false };
    expect(placeWindow(tiny, [laptop])).toEqual({ x: 10, y: 10, width: 800, height: 560, maximized: false });
  });
});

class FakeWindow extends EventEmitter implements TrackedWindow {
  bounds: Rect = { x: 10, y: 20, width: 1000, height: 700 };
  maximized = false;
  minimized = false;
  getNormalBounds = () => ({ ...this.bounds });
  isMaximized = () => this.maximized;
  isMinimized = () => this.minimized;
  isFullScreen = () => false;
}

describe('window state store', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    dir.remove();
  });

  it('remembers moves and resizes once they settle, and at close', () => {
    const store = new WindowStateStore(dir.path, silentLogger);
    const win = new FakeWindow();
    store.track(win, silentLogger);
    win.bounds = { x: 50, y: 60, width: 1100, height: 750 };
    win.emit('move');
    win.emit('resize');
    expect(store.load().bounds).toBeNull();
    vi.advanceTimersByTime(500);
    expect(store.load()).toEqual({ bounds: { x: 50, y: 60, width: 1100, height: 750 }, maximized: false });

    // Maximized: the normal bounds are kept, so unmaximizing next time restores them.
    win.maximized = true;
    win.emit('maximize');
    win.emit('close');
    expect(store.load()).toEqual({ bounds: { x: 50, y: 60, width: 1100, height: 750 }, maximized: true });
    expect(statSync(join(dir.path, WINDOW_STATE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('a minimized window keeps its last normal state', () => {
    const store = new WindowStateStore(dir.path, silentLogger);
    const win = new FakeWindow();
    store.track(win, silentLogger);
    win.emit('resize');
    vi.advanceTimersByTime(500);
    win.minimized = true;
    win.bounds = { x: 0, y: 0, width: 1, height: 1 };
    win.emit('close');
    expect(store.load().bounds).toEqual({ x: 10, y: 20, width: 1000, height: 700 });
  });

  it('a broken file is the defaults, field by field', () => {
    const file = join(dir.path, WINDOW_STATE_FILE);
    writeFileSync(file, '{"bounds": {"x": "left"}, "maximized": true}');
    expect(new WindowStateStore(dir.path, silentLogger).load()).toEqual({ bounds: null, maximized: true });
    writeFileSync(file, 'not json');
    expect(new WindowStateStore(dir.path, silentLogger).load()).toEqual({ bounds: null, maximized: false });
    writeFileSync(file, '[1,2]');
    expect(new WindowStateStore(dir.path, silentLogger).load()).toEqual({ bounds: null, maximized: false });
  });
});

describe('desktop preferences', () => {
  it('default off, survive a restart, keep good fields when one is broken, and tell listeners', () => {
    const dir = tempDir();
    try {
      const prefs = new DesktopPrefsStore(dir.path, silentLogger);
      expect(prefs.get()).toEqual({ closeToTray: false, openAtLogin: false, updates: null });
      const seen: boolean[] = [];
      prefs.onChange((p) => seen.push(p.closeToTray));
      prefs.update({ closeToTray: true });
      expect(seen).toEqual([true]);
      expect(new DesktopPrefsStore(dir.path, silentLogger).get().closeToTray).toBe(true);

      const file = join(dir.path, 'desktop.json');
      writeFileSync(
        file,
        JSON.stringify({ closeToTray: true, openAtLogin: 'yes', updates: { provider: 'generic', url: 'http://x' } }),
      );
      expect(new DesktopPrefsStore(dir.path, silentLogger).get()).toEqual({
        closeToTray: true,
        openAtLogin: false,
        updates: null,
      });
      expect(() => prefs.update({ updates: { provider: 'github', owner: 'a b', repo: 'c' } })).toThrow();
      expect(JSON.parse(readFileSync(file, 'utf8')).openAtLogin).toBe('yes'); // a refused change writes nothing
    } finally {
      dir.remove();
    }
  });
});
