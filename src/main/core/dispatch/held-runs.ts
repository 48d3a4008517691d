import type { Database } from 'better-sqlite3';

/** How a run waiting for its instance starts its error text ("Waiting for prod (offline since …): …"). */
export const HOLD_PREFIX = 'Waiting for ';

/**
 * The run rows of held deliveries: a run whose attempt did not reach n8n goes back to `queued`
 * with the reason it waits (and the attempt it did not spend); when an instance is held or
 * released, its queued runs say so, or stop saying so. SQL only, inside the caller's transaction.
 */
export function createHeldRuns(db: Database) {
  const waiting = db.prepare(`UPDATE executions SET status = 'queued', error = @error, updated_at_ms = @now,
      attempts = CASE WHEN @undo THEN max(0, attempts - 1) ELSE attempts END
    WHERE id = @id`);
  const queuedOf = `SELECT execution_id FROM jobs
    WHERE instance_id = @instanceId AND state IN ('waiting', 'delayed') AND execution_id IS NOT NULL`;
  const markAll = db.prepare(`UPDATE executions SET status = 'queued', error = @error, updated_at_ms = @now
    WHERE id IN (${queuedOf}) AND status IN ('queued', 'retrying') AND error IS NOT @error RETURNING id`);
  const clearAll = db.prepare(`UPDATE executions SET error = NULL, updated_at_ms = @now
    WHERE id IN (${queuedOf}) AND status = 'queued' AND error LIKE '${HOLD_PREFIX}%' RETURNING id`);

  return {
    /** The run waits (status queued) with `error` as its reason; `undoAttempt` gives back the attempt counted at dispatch. */
    markWaiting(executionId: number, error: string, now: number, undoAttempt: boolean): void {
      waiting.run({ id: executionId, error, now, undo: undoAttempt ? 1 : 0 });
    },
    /** Every queued run of the instance says why it waits; returns their ids. */
    markInstanceWaiting: (instanceId: string, error: string, now: number): number[] =>
      (markAll.all({ instanceId, error, now }) as { id: number }[]).map((r) => r.id),
    /** The instance answers again: its queued runs stop saying they wait for it; returns their ids. */
    clearInstanceWaiting: (instanceId: string, now: number): number[] =>
      (clearAll.all({ instanceId, now }) as { id: number }[]).map((r) => r.id),
  };
}
