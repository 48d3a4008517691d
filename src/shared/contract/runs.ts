import { z } from 'zod';
import { call } from './define';
import { executionFilterSchema, retryKindSchema, runRefSchema } from './executions';

/** One delivery attempt of a local run, from the queue's history. */
export const attemptSchema = z.object({
  attempt: z.number().int(),
  startedAtMs: z.number().int(),
  finishedAtMs: z.number().int().nullable(),
  /** `returned`: the call never reached n8n (unreachable, or n8n still starting): it did not count. */
  outcome: z.enum(['running', 'completed', 'failed', 'lease_expired', 'returned']),
  error: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
});

/** What the console knows of a local run beyond the list row: the request and every attempt. */
export const runDetailSchema = z.object({
  id: z.number().int(),
  event: z.string().nullable(),
  mappingId: z.string().nullable(),
  payload: z.unknown(),
  /** The exact request (method, url, headers, body) as previewed at queue time. */
  request: z.unknown(),
  responseStatus: z.number().int().nullable(),
  responseExcerpt: z.string().nullable(),
  job: z
    .object({
      id: z.number().int(),
      state: z.string(),
      maxAttempts: z.number().int(),
      /** When the next attempt is due (epoch ms), for delayed jobs. */
      runAtMs: z.number().int(),
      attempts: z.array(attemptSchema),
    })
    .nullable(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

const ids = z.array(z.number().int().positive()).min(1).max(10_000);

/** Per-item outcome of a bulk action: one bad item never undoes the others. */
export const itemResultSchema = z.object({
  id: z.number().int(),
  ok: z.boolean(),
  /** The new run a retry created. */
  newId: z.number().int().nullable(),
  message: z.string().nullable(),
});

/** What a dry run warns about one run. */
export const retryFlagSchema = z.enum([
  /** A retry of it exists already (its newest retry is `retriedAs`): retrying again sends it once more. */
  'already_retried',
  /** As far as the last sync knows, no active workflow serves the mapping's webhook path: n8n will answer 404. */
  'webhook_missing',
  /** It was retried with an edited payload since: retrying it sends the old payload again. */
  'payload_edited',
  /** It has not finished: it cannot be retried yet. */
  'not_finished',
  /** It cannot be retried at all (no mapping any more, or an n8n execution that succeeded). */
  'cannot_retry',
]);
export type RetryFlag = z.infer<typeof retryFlagSchema>;

export const retryPreviewSchema = z.object({
  /** Runs that a confirmed retry would retry (skipped ones not included). */
  count: z.number().int(),
  /** Runs left out because they were retried already (`skipRetried`). */
  skipped: z.number().int(),
  /** Targets grouped per mapping and workflow, by name, with how many of them are flagged. */
  byTarget: z.array(
    z.object({
      source: z.enum(['local', 'remote']),
      instanceId: z.string().nullable(),
      instanceName: z.string().nullable(),
      workflowId: z.string().nullable(),
      workflowName: z.string().nullable(),
      mappingId: z.string().nullable(),
      mappingName: z.string().nullable(),
      count: z.number().int(),
      alreadyRetried: z.number().int(),
      webhookMissing: z.number().int(),
      payloadEdited: z.number().int(),
    }),
  ),
  /** The flagged runs, each with what is wrong (the first 200; `flaggedTotal` counts all). */
  flagged: z.array(
    z.object({
      run: runRefSchema,
      flags: z.array(retryFlagSchema),
      /** The newest retry, for already_retried. */
      retriedAs: runRefSchema.nullable(),
      message: z.string(),
    }),
  ),
  flaggedTotal: z.number().int(),
});
export type RetryPreview = z.infer<typeof retryPreviewSchema>;

/** One item of a retry: the run, what happened, and the run its retry created (live status: runs:refs). */
export const retryItemSchema = itemResultSchema.extend({
  /** The run the item names (null when no such run exists). */
  run: runRefSchema.nullable(),
  /** queued: a new local run; retried: n8n retried it (newRun is its new execution); skipped; refused. */
  outcome: z.enum(['queued', 'retried', 'skipped', 'refused']),
  newRun: runRefSchema.nullable(),
});
export type RetryItem = z.infer<typeof retryItemSchema>;

/** One run of a retry chain (runs:lineage). */
export const lineageNodeSchema = z.object({
  run: runRefSchema,
  /** The run it retried (its parent in the chain); null for the first. */
  retryOfId: z.number().int().nullable(),
  retryKind: retryKindSchema.nullable(),
  createdAtMs: z.number().int(),
  /** 0 for the first run, 1 for its retries, … */
  depth: z.number().int(),
  /** A local retry whose payload differs from the run it retried. */
  payloadEdited: z.boolean(),
});
export type LineageNode = z.infer<typeof lineageNodeSchema>;

export const savedViewSchema = z.object({ id: z.number().int(), name: z.string(), filter: executionFilterSchema });

export const runsCalls = {
  'runs:detail': call(z.object({ id: z.number().int().positive() }).strict(), runDetailSchema),
  /**
   * Retry by ids or by filter. `dryRun` (the default) only describes (per mapping and workflow,
   * with flagged runs: retried already, webhook missing, payload edited since); a real retry of local runs
   * queues new runs (paced by the mapping's and instance's limits), of n8n executions asks n8n
   * to retry them one at a time. `payload` replaces the payload (one id only).
   */
  'runs:retry': call(
    z
      .object({
        ids: ids.optional(),
        filter: executionFilterSchema.optional(),
        dryRun: z.boolean().default(true),
        payload: z.unknown().optional(),
        reason: z.string().trim().max(500).optional(),
        /** Leave out runs that were retried already (the dry run flags them). Default false. */
        skipRetried: z.boolean().default(false),
      })
      .strict()
      .refine((v) => (v.ids ? !v.filter : Boolean(v.filter)), { message: 'Give either ids or a filter' })
      .refine((v) => v.payload === undefined || v.ids?.length === 1, {
        message: 'An edited payload needs exactly one run',
        path: ['payload'],
      }),
    z.object({ preview: retryPreviewSchema, results: z.array(retryItemSchema).nullable() }),
  ),
  /** The retry chain a run belongs to, first run first (at most 200 runs; `truncated` says more exist). */
  'runs:lineage': call(
    z.object({ id: z.number().int().positive() }).strict(),
    z.object({ chain: z.array(lineageNodeSchema), truncated: z.boolean() }),
  ),
  /** Runs by id, as they are now (e.g. the new runs of a bulk retry, to follow their outcome). Unknown ids are left out. */
  'runs:refs': call(
    z.object({ ids: z.array(z.number().int().positive()).min(1).max(1_000) }).strict(),
    z.array(runRefSchema),
  ),
  /** Cancels queued local runs (waiting or delayed). */
  'runs:cancel': call(
    z.object({ ids, reason: z.string().trim().max(500).optional() }).strict(),
    z.array(itemResultSchema),
  ),
  /** Moves dead-lettered local runs back to the queue with their attempts reset. */
  'runs:requeue': call(
    z.object({ ids, reason: z.string().trim().max(500).optional() }).strict(),
    z.array(itemResultSchema),
  ),
  'runs:listViews': call(z.object({}).strict(), z.array(savedViewSchema)),
  'runs:saveView': call(
    z.object({ name: z.string().trim().min(1).max(80), filter: executionFilterSchema }).strict(),
    savedViewSchema,
  ),
  'runs:removeView': call(z.object({ id: z.number().int().positive() }).strict(), z.object({ removed: z.boolean() })),
};

export const runsEvents = {
  /** Progress of a bulk retry running in the background. */
  'runs:bulkProgress': z.object({ done: z.number().int(), total: z.number().int(), failed: z.number().int() }),
};
