import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../core/logger';
import { JsonFile } from './json-file';

export const WINDOW_STATE_FILE = 'window-state.json';

/** Smallest window the console lays out in; also the floor for a remembered size. */
export const MIN_WINDOW = { width: 800, height: 560 } as const;
export const DEFAULT_WINDOW = { width: 1280, height: 820 } as const;

const coordinate = z.number().int().min(-100_000).max(100_000);
const size = z.number().int().min(1).max(100_000);

/** The window's normal (not maximized) bounds, and whether it was maximized. */
export const windowStateSchema = z.object({
  bounds: z.object({ x: coordinate, y: coordinate, width: size, height: size }).nullable().catch(null).default(null),
  maximized: z.boolean().catch(false).default(false),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where to open the window: x/y absent means "let the OS centre it". */
export interface Placement {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

/** How much of the title bar must be on a screen for the remembered position to be used (px). */
const GRAB = { width: 120, height: 32 };

/**
 * The remembered window, fitted to the screens there are now: a size no larger than the largest
 * screen's work area and no smaller than the minimum; a position only when a grabbable piece of
 * the title bar lands on some screen (a monitor unplugged since, a resolution change), else the
 * OS centres it.
 */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rect[]): Placement {
  const largest = workAreas.reduce(
    (max, area) => ({ width: Math.max(max.width, area.width), height: Math.max(max.height, area.height) }),
    { width: 0, height: 0 },
  );
  const fit = (wanted: number, most: number, least: number) =>
    Math.round(Math.max(least, most > 0 ? Math.min(wanted, most) : wanted));
  const want = saved?.bounds ?? { ...DEFAULT_WINDOW };
  const width = fit(want.width, largest.width, MIN_WINDOW.width);
  const height = fit(want.height, largest.height, MIN_WINDOW.height);
  const placement: Placement = { width, height, maximized: saved?.maximized ?? false };
  const bounds = saved?.bounds;
  if (!bounds) return placement;
  const titleBar: Rect = { x: bounds.x, y: bounds.y, width, height: GRAB.height };
  const onScreen = workAreas.some((area) => {
    const overlap = intersect(titleBar, area);
    return overlap !== null && overlap.width >= Math.min(GRAB.width, width) && overlap.height >= GRAB.height / 2;
  });
  return onScreen ? { ...placement, x: bounds.x, y: bounds.y } : placement;
}

function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

/** The part of a BrowserWindow the tracker reads (tests pass a fake). */
export interface TrackedWindow {
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isFullScreen(): boolean;
}

export class WindowStateStore {
  private readonly file: JsonFile<typeof windowStateSchema>;

  constructor(dataDir: string, logger: Logger) {
    this.file = new JsonFile(join(dataDir, WINDOW_STATE_FILE), windowStateSchema, logger);
  }

  load(): WindowState {
    return this.file.read();
  }

  save(state: WindowState): void {
    this.file.write(state);
  }

  /**
   * Remembers the window as it moves and resizes (written at most once per `quietMs`, and at
   * close). A minimized or full-screen window keeps the last normal state, so it comes back normal.
   */
  track(win: TrackedWindow, logger: Logger, quietMs = 500): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const capture = () => {
      if (stopped || win.isMinimized() || win.isFullScreen()) return;
      const b = win.getNormalBounds();
      const bounds = {
        x: Math.round(b.x),
        y: Math.round(b.y),
        width: Math.round(b.width),
        height: Math.round(b.height),
      };
      try {
        this.save({ bounds, maximized: win.isMaximized() });
      } catch (error) {
        logger.warn('Could not remember the window size and position', { error });
      }
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(capture, quietMs);
    };
    for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event, later);
    win.on('close', () => {
      clearTimeout(timer);
      capture();
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
}
