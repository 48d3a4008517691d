import { z } from 'zod';
import { call } from './define';
import { executionStatusSchema } from './executions-model';

/** How a run came to be: retried one by one, with an edited payload, in bulk, or by n8n itself. */
export const retryKindSchema = z.enum(['retry', 'edited', 'bulk', 'n8n']);
export type RetryKind = z.infer<typeof retryKindSchema>;

/**
 * Enough of a run to name it (src/shared/run-identity.ts: `FD-29 → n8n #812 on prod`) and to say
 * how it ended.
 */
export const runRefSchema = z.object({
  /** Local row id: a local run's number (`FD-<id>`). */
  id: z.number().int(),
  source: z.enum(['local', 'remote']),
  /** n8n's execution id, once known. */
  remoteId: z.string().nullable(),
  instanceId: z.string().nullable(),
  status: executionStatusSchema,
});
export type RunRef = z.infer<typeof runRefSchema>;

/** One row of the shared executions table: a local run or a synced n8n execution. */
export const executionSummarySchema = z.object({
  /** Local row id (stable across syncs); a local run's number is `FD-<id>`. */
  id: z.number().int(),
  source: z.enum(['local', 'remote']),
  instanceId: z.string().nullable(),
  workflowId: z.string().nullable(),
  /** From the synced workflow, when known. */
  workflowName: z.string().nullable(),
  /** The operator's event that produced a local run (null for runs n8n started itself). */
  event: z.string().nullable(),
  /** The mapping that routed it: its id for links, its name (or event) as the operator reads it. */
  mappingId: z.string().nullable(),
  /** null when the run has no mapping or the mapping has since been deleted. */
  mappingName: z.string().nullable(),
  /** n8n's execution id. */
  remoteId: z.string().nullable(),
  status: executionStatusSchema,
  /** n8n's mode: webhook, retry, trigger, manual… */
  mode: z.string().nullable(),
  /** n8n execution id this one retried, as n8n says (its own retries only). */
  retryOf: z.string().nullable(),
  /** The run this one retried (any kind of retry), when it is still kept. */
  retryOfRun: runRefSchema.nullable(),
  retryKind: retryKindSchema.nullable(),
  /** The newest retry of this run: it supersedes this one (which then counts only as attempts). */
  supersededByRun: runRefSchema.nullable(),
  error: z.string().nullable(),
  createdAtMs: z.number().int(),
  startedAtMs: z.number().int().nullable(),
  finishedAtMs: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  /**
   * Local runs n8n acknowledged but never showed within the linker's window (10 min): set when
   * the run was flagged (epoch ms). It may never have run in n8n; Retry sends it again.
   */
  unconfirmedAtMs: z.number().int().nullable(),
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

/** What one node did in one execution, where n8n kept run data. */
export const nodeRunSchema = z.object({
  node: z.string(),
  /** Which run of the node (loops run a node more than once). */
  run: z.number().int(),
  startedAtMs: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  /** Items on the node's main outputs. */
  items: z.number().int(),
  error: z.string().nullable(),
});
export type NodeRun = z.infer<typeof nodeRunSchema>;

/** Which executions: shared by the list, bulk retry and saved views. Every field narrows. */
export const executionFilterSchema = z
  .object({
    instanceId: z.string().max(100).optional(),
    workflowId: z.string().max(100).optional(),
    mappingId: z.string().max(100).optional(),
    /** The event name, exactly (`order.created`). */
    event: z.string().max(200).optional(),
    status: z.array(executionStatusSchema).max(20).optional(),
    source: z.enum(['local', 'remote']).optional(),
    /** Created at or after (epoch ms). */
    fromMs: z.number().int().optional(),
    /** Created before (epoch ms). */
    toMs: z.number().int().optional(),
    /**
     * Full-text search over event name, payload and error (words, prefix-matched, all must occur),
     * or a run number: `FD-29` (that local run), `n8n #812` (that n8n execution on any instance),
     * `29` (either, or the text).
     */
    search: z.string().trim().max(200).optional(),
  })
  .strict();
export type ExecutionFilter = z.infer<typeof executionFilterSchema>;

/**
 * What the list is ordered by (src/shared/execution-order.ts): when the run was created (the
 * default), started, finished, how long it ran, or its status (then by creation). Ties break on
 * the row id, in the same direction.
 */
export const executionSortSchema = z.enum(['created', 'started', 'finished', 'duration', 'status']);
export type ExecutionSort = z.infer<typeof executionSortSchema>;
export const sortDirectionSchema = z.enum(['asc', 'desc']);
export type SortDirection = z.infer<typeof sortDirectionSchema>;

export const executionsCalls = {
  /**
   * Newest first by default (`sort`, `direction`). Page on with `cursor` (the previous answer's
   * `nextCursor`, with the same sort and filters): keyset paging, so rows arriving meanwhile
   * neither repeat nor go missing.
   */
  'executions:list': call(
    executionFilterSchema
      .extend({
        cursor: z.string().max(100).optional(),
        limit: z.number().int().min(1).max(500).default(100),
        sort: executionSortSchema.default('created'),
        direction: sortDirectionSchema.default('desc'),
        /**
         * Jump (keyset seek, no scrolling), for the time sorts (created, started): a time (epoch
         * ms) starts the page at that time (at or before it newest first, at or after it oldest
         * first); 'oldest' gives the oldest runs. Paging on works as usual.
         */
        seek: z.union([z.literal('oldest'), z.number().int().min(0)]).optional(),
      })
      .strict(),
    z.object({ executions: z.array(executionSummarySchema), nextCursor: z.string().nullable() }),
  ),
  /**
   * One execution; for a remote one the per-node run data is fetched from n8n (and kept), or
   * the kept copy is shown when n8n cannot be reached.
   */
  'executions:get': call(
    z.object({ id: z.number().int().positive() }).strict(),
    z.object({
      execution: executionSummarySchema,
      /** null when n8n has no run data for it (pruned, or saved without data). */
      nodes: z.array(nodeRunSchema).nullable(),
      /** Why `nodes` is missing or possibly stale, in plain words. */
      note: z.string().nullable(),
    }),
  ),
};

export const executionsEvents = {
  /** Executions were created or changed state (after commit): windows refresh those rows. */
  'executions:changed': z.object({ ids: z.array(z.number().int()) }),
  /** A sync pass stored new or changed remote executions of an instance. */
  'executions:synced': z.object({ instanceId: z.string(), count: z.number().int() }),
  /**
   * The rows behind an `executions:changed`, as the list shows them, sent right after it (ids
   * announced together share one event, up to 200 rows each): an open list places them without
   * asking again. An `executions:changed` without ids (a restore, a bulk change) has no rows:
   * refetch then.
   */
  'executions:rows': z.object({ rows: z.array(executionSummarySchema) }),
};
