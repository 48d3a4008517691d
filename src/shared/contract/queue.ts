import { z } from 'zod';
import { call } from './define';
import { instanceHealthSchema } from './instances';

/** The queue's job states (see src/main/core/queue/job-store.ts). */
export const QUEUE_JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'dead_lettered', 'canceled'] as const;
export const queueJobStateSchema = z.enum(QUEUE_JOB_STATES);
export type QueueJobState = z.infer<typeof queueJobStateSchema>;

/** Number of jobs in each state. */
export const queueStateCountsSchema = z.object(
  Object.fromEntries(QUEUE_JOB_STATES.map((s) => [s, z.number().int()])) as Record<
    (typeof QUEUE_JOB_STATES)[number],
    z.ZodNumber
  >,
);
export type QueueStateCounts = z.infer<typeof queueStateCountsSchema>;

/** An instance whose queued runs wait because n8n cannot be reached: no attempt is spent meanwhile. */
export const queueHoldSchema = z.object({
  instanceId: z.string(),
  /** Why, e.g. "connection refused (ECONNREFUSED)". */
  reason: z.string(),
  /** Since when, epoch ms. */
  sinceMs: z.number().int(),
});
export type QueueHold = z.infer<typeof queueHoldSchema>;

export const queueStatsSchema = z.object({
  total: queueStateCountsSchema,
  /** Per n8n instance id; instances with no jobs are absent. */
  byInstance: z.record(z.string(), queueStateCountsSchema),
  /** Instances whose queued jobs are held (not dispatched) until resumed. */
  pausedInstances: z.array(z.string()),
  /** Mappings whose queued jobs are held (not dispatched) until resumed. */
  pausedMappings: z.array(z.string()),
  /** Instances whose runs wait for n8n to answer again (set and lifted by instance health). */
  holds: z.array(queueHoldSchema),
});
export type QueueStats = z.infer<typeof queueStatsSchema>;

/** Unfinished jobs and dead letters of one mapping. */
export const mappingQueueCountsSchema = z.object({
  waiting: z.number().int(),
  delayed: z.number().int(),
  active: z.number().int(),
  dead_lettered: z.number().int(),
});

/** The Queue area: every number named by instance and mapping, never by bare ids. */
export const queueOverviewSchema = z.object({
  total: queueStateCountsSchema,
  instances: z.array(
    z.object({
      instanceId: z.string(),
      /** The instance's name, or "removed instance" when it no longer exists. */
      name: z.string(),
      removed: z.boolean(),
      counts: queueStateCountsSchema,
      paused: z.boolean(),
      hold: queueHoldSchema.nullable(),
      /** What every signal says about the instance (null when removed). */
      health: instanceHealthSchema.nullable(),
    }),
  ),
  mappings: z.array(
    z.object({
      mappingId: z.string(),
      /** The mapping's name, or "removed mapping" when it no longer exists. */
      name: z.string(),
      event: z.string().nullable(),
      instanceId: z.string().nullable(),
      instanceName: z.string().nullable(),
      removed: z.boolean(),
      counts: mappingQueueCountsSchema,
      paused: z.boolean(),
    }),
  ),
  /** Queued runs of an offline instance are dead-lettered after waiting this long (ms). */
  holdLimitMs: z.number().int(),
});
export type QueueOverview = z.infer<typeof queueOverviewSchema>;

/** A job as the Queue area lists it. */
export const queueJobSchema = z.object({
  id: z.number().int(),
  /** The local run (Executions) this job delivers. */
  executionId: z.number().int().nullable(),
  state: queueJobStateSchema,
  instanceId: z.string(),
  instanceName: z.string(),
  mappingId: z.string(),
  mappingName: z.string(),
  priority: z.number().int(),
  /** Attempts that counted (answers from n8n). */
  attemptsMade: z.number().int(),
  maxAttempts: z.number().int(),
  /** When it is (or was) due, epoch ms. */
  runAtMs: z.number().int(),
  lastError: z.string().nullable(),
  /** Its last attempt may have reached n8n: it is checked in n8n before being sent again. */
  uncertain: z.boolean(),
  /** Its instance is held (offline): it waits without spending attempts. */
  held: z.boolean(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
  finishedAtMs: z.number().int().nullable(),
});
export type QueueJob = z.infer<typeof queueJobSchema>;

export const HOLD_LIMIT_DEFAULT_MS = 7 * 86_400_000;

export const queueSettingsSchema = z.object({
  /**
   * How long a run may wait for an offline instance before it is dead-lettered with that reason,
   * ms: 1 hour to 90 days, default 7 days.
   */
  holdLimitMs: z
    .number()
    .int()
    .min(3_600_000)
    .max(90 * 86_400_000),
});
export type QueueSettings = z.infer<typeof queueSettingsSchema>;

const reason = z.string().max(500).optional();
const groupId = z.string().min(1).max(200);

const instanceAction = z
  .object({
    instanceId: groupId,
    /** Why, for the audit log. */
    reason,
  })
  .strict();

const mappingAction = z.object({ mappingId: groupId, reason }).strict();

const jobsAction = z
  .object({
    /** Job ids, 1–1000; all-or-nothing. */
    ids: z.array(z.number().int().positive()).min(1).max(1000),
    /** Why, for the audit log. */
    reason,
  })
  .strict();

const jobsResult = z.object({ jobs: z.array(z.object({ id: z.number().int(), state: z.enum(QUEUE_JOB_STATES) })) });

export const queueCalls = {
  'queue:stats': call(z.object({}).strict(), queueStatsSchema),
  /** Depth, holds and dead letters per instance and mapping, by name, with instance health. */
  'queue:overview': call(z.object({}).strict(), queueOverviewSchema),
  /** Jobs in some states, newest first, optionally of one instance or mapping. */
  'queue:jobs': call(
    z
      .object({
        states: z.array(queueJobStateSchema).min(1).max(QUEUE_JOB_STATES.length),
        instanceId: groupId.optional(),
        mappingId: groupId.optional(),
        /** Jobs with an id below this (the next page). */
        beforeId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    z.object({ jobs: z.array(queueJobSchema) }),
  ),
  /** Holds an instance's queued jobs (running ones finish). */
  'queue:pause': call(instanceAction, queueStatsSchema),
  'queue:resume': call(instanceAction, queueStatsSchema),
  /** Holds a mapping's queued jobs (running ones finish). */
  'queue:pauseMapping': call(mappingAction, queueStatsSchema),
  'queue:resumeMapping': call(mappingAction, queueStatsSchema),
  /** Dead-lettered jobs back to waiting, attempts reset. CONFLICT if any is not dead-lettered. */
  'queue:requeueDead': call(jobsAction, jobsResult),
  /** Cancels waiting or delayed jobs. CONFLICT if any is active or finished. */
  'queue:cancel': call(jobsAction, jobsResult),
  /**
   * Deletes finished jobs of one state from the queue (their runs stay in Executions), for one
   * instance or mapping or all. Audited.
   */
  'queue:purge': call(
    z
      .object({
        state: z.enum(['completed', 'canceled', 'dead_lettered']),
        instanceId: groupId.optional(),
        mappingId: groupId.optional(),
        reason,
      })
      .strict(),
    z.object({ purged: z.number().int() }),
  ),
  'queue:getSettings': call(z.object({}).strict(), queueSettingsSchema),
  'queue:updateSettings': call(z.object({ settings: queueSettingsSchema, reason }).strict(), queueSettingsSchema),
};

export const queueEvents = {
  /** Counts after queue changes, at most about four times a second. */
  'queue:changed': queueStatsSchema,
};
