import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../core/logger';
import { JsonFile } from './json-file';
import { updateFeedSchema } from './updates';

/** The desktop shell's own settings file, beside the store in the data folder. */
export const DESKTOP_PREFS_FILE = 'desktop.json';

/**
 * Settings only the desktop app has (the console's own settings live in SQLite). Each field falls
 * back to its default on its own, so one hand-broken value does not reset the others.
 */
export const desktopPrefsSchema = z.object({
  /** Closing the window hides it and Flightdeck keeps running in the tray (queues, schedules, approvals). */
  closeToTray: z.boolean().catch(false).default(false),
  /** Start Flightdeck (hidden in the tray) when the user logs in. Off by default. */
  openAtLogin: z.boolean().catch(false).default(false),
  /** Update feed; null: no updates (FLIGHTDECK_UPDATE_FEED overrides). */
  updates: updateFeedSchema.nullable().catch(null).default(null),
});
export type DesktopPrefs = z.infer<typeof desktopPrefsSchema>;

/** What a change must satisfy: no fallbacks, a bad value is refused and nothing is written. */
const prefsChangeSchema = z.object({
  closeToTray: z.boolean(),
  openAtLogin: z.boolean(),
  updates: updateFeedSchema.nullable(),
});

export class DesktopPrefsStore {
  private readonly file: JsonFile<typeof desktopPrefsSchema>;
  private current: DesktopPrefs;
  private readonly listeners = new Set<(prefs: DesktopPrefs) => void>();

  constructor(dataDir: string, logger: Logger) {
    this.file = new JsonFile(join(dataDir, DESKTOP_PREFS_FILE), desktopPrefsSchema, logger);
    this.current = this.file.read();
  }

  get(): DesktopPrefs {
    return { ...this.current };
  }

  /** Writes the change, then tells every listener (menus re-render their checkboxes). */
  update(patch: Partial<DesktopPrefs>): DesktopPrefs {
    const next = prefsChangeSchema.parse({ ...this.current, ...patch });
    this.file.write(next);
    this.current = next;
    this.listeners.forEach((listener) => listener(this.get()));
    return this.get();
  }

  onChange(listener: (prefs: DesktopPrefs) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
