import { z } from 'zod';
import { call } from './define';

export const themeSchema = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof themeSchema>;

/** Operator preferences, stored in SQLite and pushed to every open window on change. */
export const settingsSchema = z.object({
  theme: themeSchema,
  /** Days of execution history and monitoring events to keep (1–3650). */
  retentionDays: z.number().int().min(1).max(3650),
  /** Who the audit log names for actions taken in this console. */
  operatorName: z.string().trim().min(1).max(80),
  /** Where the SQLite store and key files live (read-only: chosen at start). */
  dataDir: z.string(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The editable part of the settings; any subset may be sent. */
export const settingsPatchSchema = settingsSchema.omit({ dataDir: true }).partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const settingsCalls = {
  'settings:get': call(z.object({}).strict(), settingsSchema),
  'settings:update': call(z.object({ patch: settingsPatchSchema }).strict(), settingsSchema),
};

export const settingsEvents = {
  /** Fired after a settings change is committed, with the full new settings. */
  'settings:changed': settingsSchema,
};
