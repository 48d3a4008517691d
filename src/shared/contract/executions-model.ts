import { z } from 'zod';

/**
 * One status vocabulary for local runs and synced n8n executions.
 * Local lifecycle: queued → (awaiting_approval →) dispatching → running/waiting → succeeded |
 * failed | retrying → … | dead_lettered | canceled | rejected. n8n's statuses map onto it:
 * new/running → running, waiting → waiting, success → succeeded, error/crashed → failed,
 * canceled → canceled.
 */
export const EXECUTION_STATUSES = [
  'queued',
  'awaiting_approval',
  'dispatching',
  'running',
  'waiting',
  'retrying',
  'succeeded',
  'failed',
  'dead_lettered',
  'canceled',
  'rejected',
] as const;
export const executionStatusSchema = z.enum(EXECUTION_STATUSES);
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

/** Statuses after which nothing more will happen to a run. */
export const TERMINAL_STATUSES: readonly ExecutionStatus[] = [
  'succeeded',
  'failed',
  'dead_lettered',
  'canceled',
  'rejected',
];
