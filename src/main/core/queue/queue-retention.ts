/**
 * Bounded storage for the queue: finished jobs (completed, canceled, dead-lettered) and, with
 * them, their payloads, attempt history and idempotency keys (ON DELETE CASCADE) are removed
 * once older than the executions' retention (Settings.retentionDays), then the freed pages go
 * back to the file system. Without this the jobs table grew by every run ever dispatched.
 */
import type { Store } from '../db/store';
import { reclaimSpace } from '../db/reclaim';
import type { JobStore } from './job-store';

const DAY_MS = 86_400_000;

export interface QueueRetentionResult {
  cutoffMs: number;
  jobs: number;
  pagesReleased: number;
}

export function createQueueRetention(store: Store, jobs: Pick<JobStore, 'purgeFinished'>) {
  function run(nowMs: number, retentionDays: number): QueueRetentionResult {
    const cutoffMs = nowMs - retentionDays * DAY_MS;
    const purged = jobs.purgeFinished({ finishedBeforeMs: cutoffMs, includeDeadLettered: true });
    return { cutoffMs, jobs: purged, pagesReleased: purged > 0 ? reclaimSpace(store.db) : 0 };
  }

  return { run };
}
