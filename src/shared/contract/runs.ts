import { z } from 'zod';
import { call } from './define';
import { executionFilterSchema } from './executions';

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

export const retryPreviewSchema = z.object({
  count: z.number().int(),
  /** Targets grouped, so the operator sees which workflows a bulk retry will hit. */
  byTarget: z.array(
    z.object({
      instanceId: z.string().nullable(),
      workflowId: z.string().nullable(),
      source: z.string(),
      count: z.number().int(),
    }),
  ),
});

export const savedViewSchema = z.object({ id: z.number().int(), name: z.string(), filter: executionFilterSchema });

export const runsCalls = {
  'runs:detail': call(z.object({ id: z.number().int().positive() }).strict(), runDetailSchema),
  /**
   * Retry by ids or by filter. `dryRun` (the default) only counts; a real retry of local runs
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
      })
      .strict()
      .refine((v) => (v.ids ? !v.filter : Boolean(v.filter)), { message: 'Give either ids or a filter' })
      .refine((v) => v.payload === undefined || v.ids?.length === 1, {
        message: 'An edited payload needs exactly one run',
        path: ['payload'],
      }),
    z.object({ preview: retryPreviewSchema, results: z.array(itemResultSchema).nullable() }),
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
