/**
 * Group commit for enqueues: callers that enqueue in the same turn of the event loop (HTTP
 * ingest under load, a burst of schedule ticks) share one transaction, and each is answered
 * only after that transaction has committed. The commit, not the insert, is what costs.
 */
import { AppError } from '../../../shared/result';
import type { EnqueueInput, EnqueueResult, JobStore } from './job-store';

interface Pending {
  input: EnqueueInput;
  resolve(result: EnqueueResult): void;
  reject(error: unknown): void;
}

export interface EnqueueBatcherOptions {
  /** Most enqueues per transaction. Default 500. */
  maxBatch?: number;
}

/** Returns an async enqueue whose promise resolves once the job is durably queued. */
export function createEnqueueBatcher(
  jobs: JobStore,
  options: EnqueueBatcherOptions = {},
): (input: EnqueueInput) => Promise<EnqueueResult> {
  const maxBatch = options.maxBatch ?? 500;
  const pending: Pending[] = [];

  function flush(): void {
    const batch = pending.splice(0, maxBatch);
    if (pending.length > 0) setImmediate(flush);
    try {
      const results = jobs.enqueueMany(batch.map((p) => p.input));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'VALIDATION')) {
        batch.forEach((p) => p.reject(error));
        return;
      }
      // One bad input rejects the whole batch: enqueue one by one so only it fails.
      for (const p of batch) {
        try {
          p.resolve(jobs.enqueue(p.input));
        } catch (single) {
          p.reject(single);
        }
      }
    }
  }

  return (input) =>
    new Promise<EnqueueResult>((resolve, reject) => {
      pending.push({ input, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
    });
}
