import type Database from 'better-sqlite3';
import type { ExecutionStatus } from '../../../shared/contract';

/** One executions row as tests, benches and the e2e seed write it (the real writers are elsewhere). */
export interface SeedExecution {
  status: ExecutionStatus;
  createdAtMs: number;
  durationMs?: number | null;
  queueWaitMs?: number | null;
  instanceId?: string | null;
  workflowId?: string | null;
  mappingId?: string | null;
  source?: 'local' | 'remote';
  error?: string | null;
  /** Webhook calls made (local runs). Default 0. */
  attempts?: number;
  /** The last HTTP status n8n answered (local runs). */
  responseStatus?: number | null;
  remoteId?: string | null;
  /** n8n's retryOf: the n8n execution id this one retried. */
  retryOf?: string | null;
  /** The row this one retried (a console retry). */
  retryOfId?: number | null;
}

/** Inserts rows straight into `executions` in one transaction; returns their ids. */
export function insertExecutions(db: Database.Database, rows: SeedExecution[]): number[] {
  const insert = db.prepare(`INSERT INTO executions
    (source, instance_id, workflow_id, mapping_id, status, error, created_at_ms, started_at_ms, finished_at_ms,
     queue_wait_ms, duration_ms, updated_at_ms, attempts, response_status, remote_id, retry_of, retry_of_id)
    VALUES (@source, @instance_id, @workflow_id, @mapping_id, @status, @error, @created, @started, @finished,
     @queue_wait, @duration, @created, @attempts, @response_status, @remote_id, @retry_of, @retry_of_id)`);
  return db.transaction(() =>
    rows.map((r) => {
      const started = r.durationMs == null ? null : r.createdAtMs + (r.queueWaitMs ?? 0);
      return Number(
        insert.run({
          source: r.source ?? 'local',
          instance_id: r.instanceId ?? null,
          workflow_id: r.workflowId ?? null,
          mapping_id: r.mappingId ?? null,
          status: r.status,
          error: r.error ?? null,
          created: r.createdAtMs,
          started,
          finished: started === null ? null : started + (r.durationMs ?? 0),
          queue_wait: r.queueWaitMs ?? null,
          duration: r.durationMs ?? null,
          attempts: r.attempts ?? 0,
          response_status: r.responseStatus ?? null,
          remote_id: r.remoteId ?? null,
          retry_of: r.retryOf ?? null,
          retry_of_id: r.retryOfId ?? null,
        }).lastInsertRowid,
      );
    }),
  )();
}
