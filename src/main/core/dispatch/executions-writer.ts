import type { RetryKind } from '../../../shared/contract/executions';
import type { ExecutionStatus } from '../../../shared/contract/executions-model';
import { searchIndex } from '../db/search-index';
import type { Store } from '../db/store';

/** A new local run, as the pipeline records it before anything is sent. */
export interface NewLocalRun {
  instanceId: string;
  workflowId: string | null;
  mappingId: string;
  event: string;
  status: Extract<ExecutionStatus, 'queued' | 'awaiting_approval'>;
  payload: unknown;
  idempotencyKey: string | null;
  sourceKind: string;
  /** The run this one retries (its row id), and how: a retry supersedes what it retried. */
  retry?: { ofId: number; kind: RetryKind } | null;
  nowMs: number;
  /**
   * Written with the row instead of by later updates (each update rewrites the whole row, payload
   * included): its id (from nextId(), in the same transaction), its request and its job.
   */
  id?: number;
  request?: unknown;
  jobId?: number | null;
}

const EXCERPT_BYTES = 2048;

/**
 * A request as kept on its run: without `bodyText`, which is always JSON.stringify(body)
 * (webhook-request.ts) and, for a payload of 10 KB, was a third of the row that every status
 * update rewrites. Readers put it back (`storedRequest`).
 */
function requestText(request: unknown, payloadText?: string): string {
  if (request === null || typeof request !== 'object' || !('bodyText' in request)) return JSON.stringify(request);
  const { bodyText, body: _body, ...rest } = request as Record<string, unknown>;
  // Without a transform the body is the payload, byte for byte: kept once, on the run's payload.
  if (payloadText !== undefined && bodyText === payloadText) return JSON.stringify({ ...rest, bodyIsPayload: true });
  const { bodyText: _sameAsBody, ...kept } = request as Record<string, unknown>;
  return JSON.stringify(kept);
}

/**
 * A stored request as it was built: its `bodyText` again (the bytes sent), and its body taken
 * from the run's payload when it was kept there (`bodyIsPayload`).
 */
export function storedRequest(requestJson: string | null, payloadJson: string | null): unknown {
  const request = requestJson === null ? null : (JSON.parse(requestJson) as unknown);
  if (request === null || typeof request !== 'object' || Array.isArray(request) || 'bodyText' in request)
    return request;
  if ('bodyIsPayload' in request) {
    const { bodyIsPayload: _b, ...rest } = request as Record<string, unknown>;
    const text = payloadJson ?? 'null';
    return { ...rest, body: JSON.parse(text) as unknown, bodyText: text };
  }
  return { ...request, bodyText: JSON.stringify((request as { body?: unknown }).body ?? null) };
}

/**
 * The pipeline's writes to the shared executions table: prepared once, small and explicit.
 * `requestedBy` names who asks for a run inserted now (the caller of the running call; null for
 * machine traffic), kept on the run for the four-eyes rule of approvals.
 */
export function createExecutionsWriter(store: Store, options: { requestedBy?: () => string | null } = {}) {
  const { db } = store;
  // The run's row stays small: every status update rewrites it. Its payload and request are
  // written once, beside it, in execution_bodies (0026_execution_bodies.sql).
  const insert = db.prepare(`INSERT INTO executions
    (id, source, instance_id, workflow_id, mapping_id, status, event, job_id,
     idempotency_key, source_kind, retry_of_id, retry_kind, requested_by, created_at_ms, updated_at_ms)
    VALUES (@id, 'local', @instanceId, @workflowId, @mappingId, @status, @event, @jobId,
     @idempotencyKey, @sourceKind, @retryOfId, @retryKind, @requestedBy, @nowMs, @nowMs)`);
  const insertBody = db.prepare('INSERT INTO execution_bodies (id, payload_json, request_json) VALUES (?, ?, ?)');
  // The id the next insert gets (rowid tables take max + 1); valid inside the caller's transaction.
  const nextId = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM executions').pluck();
  // The request is written once the row has its id (the id is part of the request: a header).
  const setRequest = db.prepare(`INSERT INTO execution_bodies (id, request_json) VALUES (@id, @request)
    ON CONFLICT (id) DO UPDATE SET request_json = excluded.request_json`);
  const byKey = db.prepare('SELECT id FROM executions WHERE idempotency_key = ?').pluck();
  const setJob = db.prepare('UPDATE executions SET job_id = ? WHERE id = ?');
  const started = db.prepare(`UPDATE executions SET status = 'dispatching', attempts = attempts + 1,
      started_at_ms = coalesce(started_at_ms, @now), queue_wait_ms = coalesce(queue_wait_ms, @now - created_at_ms),
      updated_at_ms = @now WHERE id = @id`);
  // Only what an outcome always changes: the search index's trigger (error), the lineage and fold
  // triggers (remote_id) fire on any UPDATE naming their column, so those two are set apart, and
  // only when they change (a success with no error and no execution id touches neither).
  const finished = db.prepare(`UPDATE executions SET status = @status, response_status = @httpStatus,
      response_excerpt = @excerpt,
      finished_at_ms = CASE WHEN @terminal THEN @now ELSE finished_at_ms END,
      duration_ms = CASE WHEN @terminal THEN @now - started_at_ms ELSE duration_ms END,
      updated_at_ms = @now WHERE id = @id`);
  const setError = db.prepare('UPDATE executions SET error = @error WHERE id = @id AND error IS NOT @error');
  // The n8n execution id in a webhook's answer is a hint, not a fact (the workflow writes that
  // answer): it links the run only while no other run holds it. A clash must never fail the write,
  // or a delivered webhook would be retried and run twice.
  const setRemote = db.prepare(`UPDATE executions SET remote_id = @remoteId
      WHERE id = @id AND remote_id IS NOT @remoteId AND NOT EXISTS (SELECT 1 FROM executions other
        WHERE other.instance_id = executions.instance_id AND other.remote_id = @remoteId AND other.id <> executions.id
          AND other.source = 'local')`);
  // A synced copy of the same n8n execution is folded into the local run (as the linker does).
  const foldRemote = db.prepare(`DELETE FROM executions WHERE source = 'remote' AND remote_id = @remoteId
      AND instance_id = (SELECT instance_id FROM executions WHERE id = @id)`);
  const setStatus = db.prepare(
    'UPDATE executions SET status = ?, error = coalesce(?, error), updated_at_ms = ? WHERE id = ?',
  );

  // New runs reach the search index in batches (0024_search_backlog.sql), not one by one.
  const search = searchIndex(store);

  return {
    insert: (run: NewLocalRun): number => {
      search.soon();
      const id = Number(
        insert.run({
          id: run.id ?? null,
          jobId: run.jobId ?? null,
          instanceId: run.instanceId,
          workflowId: run.workflowId,
          mappingId: run.mappingId,
          status: run.status,
          event: run.event,
          idempotencyKey: run.idempotencyKey,
          sourceKind: run.sourceKind,
          nowMs: run.nowMs,
          retryOfId: run.retry?.ofId ?? null,
          retryKind: run.retry?.kind ?? null,
          requestedBy: options.requestedBy?.() ?? null,
        }).lastInsertRowid,
      );
      const payloadText = JSON.stringify(run.payload ?? null);
      insertBody.run(id, payloadText, run.request === undefined ? null : requestText(run.request, payloadText));
      return id;
    },
    nextId: () => nextId.get() as number,
    /** The exact request of a run (webhook-request.ts), kept for its detail view and for release after approval. */
    setRequest: (id: number, request: unknown) => void setRequest.run({ id, request: requestText(request) }),
    findByKey: (key: string) => byKey.get(key) as number | undefined,
    setJob: (executionId: number, jobId: number) => void setJob.run(jobId, executionId),
    markDispatching: (id: number, now: number) => void started.run({ id, now }),
    markOutcome(
      id: number,
      outcome: {
        status: ExecutionStatus;
        terminal: boolean;
        error?: string | null;
        httpStatus?: number | null;
        body?: string | null;
        remoteId?: string | null;
      },
      now: number,
    ) {
      if (outcome.remoteId) foldRemote.run({ id, remoteId: outcome.remoteId });
      finished.run({
        id,
        now,
        status: outcome.status,
        terminal: outcome.terminal ? 1 : 0,
        httpStatus: outcome.httpStatus ?? null,
        excerpt: outcome.body ? outcome.body.slice(0, EXCERPT_BYTES) : null,
      });
      setError.run({ id, error: outcome.error ?? null });
      if (outcome.remoteId) setRemote.run({ id, remoteId: outcome.remoteId });
    },
    setStatus: (id: number, status: ExecutionStatus, now: number, error: string | null = null) =>
      void setStatus.run(status, error, now, id),
  };
}

export type ExecutionsWriter = ReturnType<typeof createExecutionsWriter>;
