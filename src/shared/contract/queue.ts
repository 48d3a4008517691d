import { z } from 'zod';
import { call } from './define';

/** The queue's job states (see src/main/core/queue/job-store.ts). */
export const QUEUE_JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'dead_lettered', 'canceled'] as const;

/** Number of jobs in each state. */
export const queueStateCountsSchema = z.object(
  Object.fromEntries(QUEUE_JOB_STATES.map((s) => [s, z.number().int()])) as Record<
    (typeof QUEUE_JOB_STATES)[number],
    z.ZodNumber
  >,
);

export const queueStatsSchema = z.object({
  total: queueStateCountsSchema,
  /** Per n8n instance id; instances with no jobs are absent. */
  byInstance: z.record(z.string(), queueStateCountsSchema),
  /** Instances whose queued jobs are held (not dispatched) until resumed. */
  pausedInstances: z.array(z.string()),
});
export type QueueStats = z.infer<typeof queueStatsSchema>;

const instanceAction = z
  .object({
    instanceId: z.string().min(1).max(200),
    /** Why, for the audit log. */
    reason: z.string().max(500).optional(),
  })
  .strict();

const jobsAction = z
  .object({
    /** Job ids, 1–1000; all-or-nothing. */
    ids: z.array(z.number().int().positive()).min(1).max(1000),
    /** Why, for the audit log. */
    reason: z.string().max(500).optional(),
  })
  .strict();

const jobsResult = z.object({ jobs: z.array(z.object({ id: z.number().int(), state: z.enum(QUEUE_JOB_STATES) })) });

export const queueCalls = {
  'queue:stats': call(z.object({}).strict(), queueStatsSchema),
  /** Holds an instance's queued jobs (running ones finish). */
  'queue:pause': call(instanceAction, queueStatsSchema),
  'queue:resume': call(instanceAction, queueStatsSchema),
  /** Dead-lettered jobs back to waiting, attempts reset. CONFLICT if any is not dead-lettered. */
  'queue:requeueDead': call(jobsAction, jobsResult),
  /** Cancels waiting or delayed jobs. CONFLICT if any is active or finished. */
  'queue:cancel': call(jobsAction, jobsResult),
};

export const queueEvents = {
  /** Counts after queue changes, at most about four times a second. */
  'queue:changed': queueStatsSchema,
};
