import type { Database } from 'better-sqlite3';
import { binSql } from './histogram';

const TERMINAL = `('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')`;

// The contribution of every terminal execution above the watermark, grouped per rollup row:
// the same numbers the insert trigger would have added one row at a time (0013_metrics_per_run.sql:
// a row counts as a run unless a retry superseded it; attempts count every row).
// The inner GROUP BY counts per histogram bin, the outer one folds the bins into the row's JSON.
const foldSql = (rows: string) => `INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered, canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, attempts, failed_attempts, hist_json, revision)
  SELECT grain_ms, bucket_ms, i, w, m, SUM(total), SUM(succeeded), SUM(failed), SUM(dead_lettered), SUM(canceled), SUM(rejected), SUM(duration_count), SUM(duration_sum_ms), SUM(queue_wait_count), SUM(queue_wait_sum_ms), SUM(attempts), SUM(failed_attempts),
    json_group_object(bin, timed) FILTER (WHERE bin IS NOT NULL), (SELECT version FROM metric_state WHERE id = 1)
  FROM (
    SELECT g.ms AS grain_ms, e.created_at_ms - (e.created_at_ms % g.ms) AS bucket_ms, coalesce(e.instance_id, '') AS i,
      coalesce(e.workflow_id, '') AS w, coalesce(e.mapping_id, '') AS m,
      CASE WHEN (e.superseded_by_id IS NULL AND e.duration_ms IS NOT NULL) THEN CAST(${binSql('e.duration_ms')} AS TEXT) END AS bin,
      SUM((e.superseded_by_id IS NULL)) AS total,
      SUM((e.superseded_by_id IS NULL AND e.status = 'succeeded')) AS succeeded,
      SUM((e.superseded_by_id IS NULL AND e.status = 'failed')) AS failed,
      SUM((e.superseded_by_id IS NULL AND e.status = 'dead_lettered')) AS dead_lettered,
      SUM((e.superseded_by_id IS NULL AND e.status = 'canceled')) AS canceled,
      SUM((e.superseded_by_id IS NULL AND e.status = 'rejected')) AS rejected,
      SUM((e.superseded_by_id IS NULL AND e.duration_ms IS NOT NULL)) AS duration_count,
      SUM((CASE WHEN e.superseded_by_id IS NULL THEN coalesce(e.duration_ms, 0) ELSE 0 END)) AS duration_sum_ms,
      SUM((e.superseded_by_id IS NULL AND e.queue_wait_ms IS NOT NULL)) AS queue_wait_count,
      SUM((CASE WHEN e.superseded_by_id IS NULL THEN coalesce(e.queue_wait_ms, 0) ELSE 0 END)) AS queue_wait_sum_ms,
      SUM((CASE WHEN e.source = 'remote' THEN 1 ELSE e.attempts END)) AS attempts,
      SUM((CASE WHEN e.source = 'remote' THEN e.status = 'failed' ELSE max(e.attempts - (coalesce(e.response_status, 0) BETWEEN 200 AND 299), 0) END)) AS failed_attempts,
      SUM((e.superseded_by_id IS NULL AND e.duration_ms IS NOT NULL)) AS timed
    FROM executions e, (SELECT 3600000 AS ms UNION ALL SELECT 86400000) AS g
    WHERE ${rows} AND e.status IN ${TERMINAL}
    GROUP BY 1, 2, 3, 4, 5, 6
  ) WHERE true
  GROUP BY grain_ms, bucket_ms, i, w, m
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
    total = total + excluded.total,
    succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed,
    dead_lettered = dead_lettered + excluded.dead_lettered,
    canceled = canceled + excluded.canceled,
    rejected = rejected + excluded.rejected,
    duration_count = duration_count + excluded.duration_count,
    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
    queue_wait_count = queue_wait_count + excluded.queue_wait_count,
    queue_wait_sum_ms = queue_wait_sum_ms + excluded.queue_wait_sum_ms,
    attempts = attempts + excluded.attempts,
    failed_attempts = failed_attempts + excluded.failed_attempts,
    hist_json = CASE WHEN excluded.duration_count = 0 THEN hist_json ELSE (
      SELECT json_group_object(key, v) FROM (
        SELECT key, SUM(value) AS v FROM (
          SELECT key, value FROM json_each(metric_rollups.hist_json)
          UNION ALL SELECT key, value FROM json_each(excluded.hist_json))
        GROUP BY key)) END`;

/**
 * Runs `write` (inside the caller's transaction) with the per-row rollup triggers held off for
 * executions it inserts, then folds those rows into metric_rollups with one statement. The
 * rollups end exactly as if the triggers had run row by row: rows that existed before (updated
 * by `write`) still go through the triggers, new rows are counted in their final state. For bulk
 * writers such as the n8n sync, where the triggers were most of the cost of storing a page.
 */
export function createRollupBatch(db: Database) {
  const maxId = db.prepare('SELECT coalesce(MAX(id), 0) FROM executions').pluck();
  const hold = db.prepare('UPDATE metric_state SET defer_above_id = ? WHERE id = 1');
  const release = db.prepare('UPDATE metric_state SET defer_above_id = NULL, version = version + 1 WHERE id = 1');
  const fold = db.prepare(foldSql('e.id > ?'));

  return function withBatchedRollups<T>(write: () => T): T {
    if (!db.inTransaction) throw new Error('withBatchedRollups must run inside a transaction');
    const watermark = maxId.get() as number;
    hold.run(watermark);
    try {
      return write();
    } finally {
      // Also after a throw the caller may catch: whatever was inserted is counted, never lost.
      release.run();
      fold.run(watermark);
    }
  };
}

/**
 * Rollups per worker turn (0024_search_backlog.sql): `hold(id)` keeps the triggers off a run still
 * in flight (so it counted nothing yet) that is about to be finished; `around(fn)` runs a turn and
 * then folds every held run, in its final state, into metric_rollups with one statement, in the
 * same transaction. A run already finished (say, canceled meanwhile) is not held: its triggers
 * move its counts as before.
 */
export function createDeferredRollups(db: Database) {
  const hold = db.prepare(
    `INSERT OR IGNORE INTO metric_deferred (id) SELECT id FROM executions WHERE id = ? AND status NOT IN ${TERMINAL}`,
  );
  const fold = db.prepare(foldSql('e.id IN (SELECT id FROM metric_deferred)'));
  const clear = db.prepare('DELETE FROM metric_deferred');
  const bump = db.prepare('UPDATE metric_state SET version = version + 1 WHERE id = 1');
  let depth = 0;
  let held = false;
  return {
    /** Holds a run's rollup until the end of the turn; outside `around`, does nothing. */
    hold(executionId: number): void {
      if (depth === 0) return;
      if (hold.run(executionId).changes > 0) held = true;
    },
    around<T>(fn: () => T): T {
      if (!db.inTransaction) throw new Error('Deferred rollups must run inside a transaction');
      depth++;
      try {
        return fn();
      } finally {
        depth--;
        // Also after a throw the caller may catch: whatever was finished is counted, never lost.
        if (depth === 0 && held) {
          held = false;
          fold.run();
          clear.run();
          bump.run();
        }
      }
    },
  };
}
