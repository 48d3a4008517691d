import { z } from 'zod';
import { call } from './define';

/** Why the core could not start (bad database, edited migration…), shown by the UI instead of a crash. */
export const startupErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
});

export const appStatusSchema = z.object({
  /** `failed` means the store refused to open: every other call answers STARTUP_FAILED. */
  state: z.enum(['ready', 'failed']),
  version: z.string(),
  dataDir: z.string(),
  /** Highest migration applied to the database (0 when the store did not open). */
  schemaVersion: z.number().int(),
  startupError: startupErrorSchema.nullable(),
});
export type AppStatus = z.infer<typeof appStatusSchema>;

export const appCalls = {
  'app:status': call(z.object({}).strict(), appStatusSchema),
};

export const appEvents = {};
