import { z } from 'zod';
import { call } from './define';

/**
 * What the console's pickers offer: everything an operator may choose by name, read from what is
 * stored and synced (never from n8n live), so a picker opens at once and works offline.
 */
export const pickerInstanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  environment: z.string(),
  /** #rrggbb, the instance's colour in lists. */
  color: z.string(),
  /** The sync's state: `never` means its workflows are not known yet (a path cannot be checked). */
  syncState: z.enum(['never', 'syncing', 'ok', 'offline', 'error']),
  /** Last complete sync (epoch ms), null when none. */
  lastSyncAtMs: z.number().int().nullable(),
});
export type PickerInstance = z.infer<typeof pickerInstanceSchema>;

export const pickerWorkflowSchema = z.object({
  instanceId: z.string(),
  /** n8n's workflow id (unique within its instance only). */
  id: z.string(),
  name: z.string(),
  /** n8n reports it active: its production webhooks answer. */
  active: z.boolean(),
  /** Paths of its Webhook nodes, as n8n serves them under /webhook/. */
  webhookPaths: z.array(z.string()),
});
export type PickerWorkflow = z.infer<typeof pickerWorkflowSchema>;

export const pickerMappingSchema = z.object({
  id: z.string(),
  name: z.string(),
  event: z.string(),
  instanceId: z.string(),
  workflowId: z.string().nullable(),
  webhookPath: z.string(),
  active: z.boolean(),
});
export type PickerMapping = z.infer<typeof pickerMappingSchema>;

export const pickerEventSchema = z.object({
  name: z.string(),
  /** Runs recorded for this event name (all statuses). */
  runs: z.number().int(),
  /** Newest run of this event (epoch ms), null when only a mapping names it. */
  lastSeenAtMs: z.number().int().nullable(),
  /** An active mapping takes this event. */
  mapped: z.boolean(),
});
export type PickerEvent = z.infer<typeof pickerEventSchema>;

export const pickerOptionsSchema = z.object({
  instances: z.array(pickerInstanceSchema),
  workflows: z.array(pickerWorkflowSchema),
  mappings: z.array(pickerMappingSchema),
  events: z.array(pickerEventSchema),
});
export type PickerOptions = z.infer<typeof pickerOptionsSchema>;

export const pickersCalls = {
  /** Every instance, synced workflow (with its webhook paths and live state), mapping and event seen. */
  'pickers:options': call(z.object({}).strict(), pickerOptionsSchema),
};

export const pickersEvents = {};
