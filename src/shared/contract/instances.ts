import { z } from 'zod';
import { ERROR_CODES } from '../result';
import { call } from './define';

/** Where an n8n instance lives: http(s) only, no credentials or query in the URL. */
export const baseUrlSchema = z
  .string()
  .trim()
  .max(500)
  .url()
  // Shared code has no URL class: a regex keeps out user:password@, ?query and #fragment.
  .regex(
    /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/i,
    'Use http(s)://host[:port][/path], without user, password, query or #fragment',
  );

/** An n8n API key (Settings → n8n API in n8n). Accepted on input, never returned. */
export const apiKeySchema = z.string().trim().min(8, 'That is too short to be an n8n API key').max(2000);

export const instanceFieldsSchema = z.object({
  name: z.string().trim().min(1).max(80),
  baseUrl: baseUrlSchema,
  /** A free label such as dev, staging, prod or a client's name. */
  environment: z.string().trim().min(1).max(40),
  /** #rrggbb, shown as the instance's badge colour. */
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2f6fed'),
  /** When false the background sync leaves this instance alone ("sync now" still works). */
  syncEnabled: z.boolean(),
});

/**
 * Executions started directly in n8n (not by Flightdeck) that wait on a Wait node resumed by a
 * webhook call join the approval inbox. Off by default: an instance full of waits should not
 * fill the inbox unasked. Timed waits never join.
 */
export const waitInboxSchema = z
  .object({
    enabled: z.boolean(),
    /** Only these n8n workflow ids; empty: every workflow of the instance. */
    workflowIds: z.array(z.string().trim().min(1).max(100)).max(500),
  })
  .strict();
export type WaitInbox = z.infer<typeof waitInboxSchema>;

/** Options of an instance beyond its connection. */
export const instanceOptionsSchema = z.object({
  /**
   * n8n's public webhook base (its `WEBHOOK_URL`), when it differs from the address above:
   * n8n builds `$execution.resumeUrl` on it, so wait registrations on it are accepted.
   */
  publicWebhookUrl: baseUrlSchema.nullable(),
  waitInbox: waitInboxSchema,
});

/** The sync loop's view of an instance: what the health badge shows. */
export const syncStateSchema = z.object({
  /** `offline`: n8n could not be reached (retried with backoff); `error`: reached but refused. */
  state: z.enum(['never', 'syncing', 'ok', 'offline', 'error']),
  n8nVersion: z.string().nullable(),
  lastAttemptAtMs: z.number().int().nullable(),
  lastSuccessAtMs: z.number().int().nullable(),
  lastErrorCode: z.string().nullable(),
  lastError: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  /** When the background loop will try next (epoch ms), null when it is not scheduled. */
  nextSyncAtMs: z.number().int().nullable(),
});
export type SyncState = z.infer<typeof syncStateSchema>;

/**
 * Whether n8n answers, from every signal: dispatch outcomes, the sync, and a light probe of
 * `/healthz` (every few seconds while down, with backoff). An outage shows within seconds.
 */
export const instanceHealthSchema = z.object({
  /** `unknown`: nothing observed yet. `down`: the last signal found n8n unreachable or starting up. */
  state: z.enum(['unknown', 'up', 'down']),
  /** Since when it is in this state, epoch ms (null when unknown). */
  sinceMs: z.number().int().nullable(),
  /** Why it is down, e.g. "connection refused (ECONNREFUSED)"; null when up. */
  reason: z.string().nullable(),
  /** Which signal said so last. */
  source: z.enum(['dispatch', 'sync', 'probe']).nullable(),
  /** The last signal of either kind, epoch ms. */
  checkedAtMs: z.number().int().nullable(),
});
export type InstanceHealth = z.infer<typeof instanceHealthSchema>;

/** An instance as the renderer sees it: the API key itself never leaves the core. */
export const instanceSchema = instanceFieldsSchema.extend({
  ...instanceOptionsSchema.shape,
  id: z.string(),
  hasApiKey: z.boolean(),
  /** Last 4 characters of the key, so an operator can tell two keys apart. */
  apiKeyLast4: z.string(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
  sync: syncStateSchema,
  health: instanceHealthSchema,
});
export type Instance = z.infer<typeof instanceSchema>;

export const connectionTestSchema = z.object({
  ok: z.boolean(),
  /** GET /healthz answered ok. */
  healthy: z.boolean(),
  /** The key was accepted (null when n8n was not reached). */
  authenticated: z.boolean().nullable(),
  /** n8n's version where n8n tells it (GET /rest/settings), else null. */
  version: z.string().nullable(),
  /** Round trip of the authenticated API call (ms). */
  latencyMs: z.number().nullable(),
  code: z.enum(ERROR_CODES).nullable(),
  /** One sentence: what works, or what is wrong and what to do. */
  message: z.string(),
});
export type ConnectionTest = z.infer<typeof connectionTestSchema>;

export const syncLogEntrySchema = z.object({
  id: z.number().int(),
  instanceId: z.string(),
  startedAtMs: z.number().int(),
  durationMs: z.number().int(),
  outcome: z.enum(['ok', 'failed']),
  workflows: z.number().int(),
  /** Executions inserted or changed by this pass. */
  executions: z.number().int(),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
});
export type SyncLogEntry = z.infer<typeof syncLogEntrySchema>;

const idArg = z.object({ id: z.string().min(1).max(100) }).strict();

export const instancesCalls = {
  'instances:list': call(z.object({}).strict(), z.object({ instances: z.array(instanceSchema) })),
  'instances:add': call(
    instanceFieldsSchema
      .extend({
        apiKey: apiKeySchema,
        syncEnabled: z.boolean().default(true),
        publicWebhookUrl: baseUrlSchema.nullable().default(null),
        waitInbox: waitInboxSchema.default({ enabled: false, workflowIds: [] }),
      })
      .strict(),
    instanceSchema,
  ),
  /** Any subset of fields; `apiKey` replaces the stored key. */
  'instances:update': call(
    z
      .object({
        id: z.string().min(1).max(100),
        patch: instanceFieldsSchema
          .extend({ apiKey: apiKeySchema, ...instanceOptionsSchema.shape })
          .partial()
          .strict(),
      })
      .strict(),
    instanceSchema,
  ),
  /** Removes the profile, its synced workflows and its synced (remote) executions. */
  'instances:remove': call(idArg, z.object({ id: z.string() })),
  /** Tests a saved instance ({id}) or an unsaved profile ({baseUrl, apiKey}). */
  'instances:test': call(
    z.union([idArg, z.object({ baseUrl: baseUrlSchema, apiKey: apiKeySchema }).strict()]),
    connectionTestSchema,
  ),
  /** Runs one sync pass now and answers with its log entry. */
  'instances:syncNow': call(idArg, syncLogEntrySchema),
  'instances:syncLog': call(
    z.object({ id: z.string().min(1).max(100), limit: z.number().int().min(1).max(200).default(20) }).strict(),
    z.object({ entries: z.array(syncLogEntrySchema) }),
  ),
};

export const instancesEvents = {
  /** An instance was added or changed (fields or sync state), after commit. */
  'instances:changed': instanceSchema,
  'instances:removed': z.object({ id: z.string() }),
};
