import type { Database } from 'better-sqlite3';
import { binOfRowSql, CONTRIBUTIONS, GRAINS_MS, TERMINAL_SQL as TERMINAL, timedSql } from './rollup-sql';

const ROLLUP_COLUMNS = CONTRIBUTIONS.map((c) => c.column);

// The contribution of every terminal execution matching `rows`, grouped per rollup row: the same
// numbers the triggers add one row at a time, from the same expressions (rollup-sql.ts).
// The inner GROUP BY counts per histogram bin, the outer one folds the bins into the row's JSON.
export const foldSql = (rows: string) => `INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, ${ROLLUP_COLUMNS.join(', ')}, hist_json, revision)
  SELECT grain_ms, bucket_ms, i, w, m, ${ROLLUP_COLUMNS.map((c) => `SUM(${c})`).join(', ')},
    json_group_object(bin, timed) FILTER (WHERE bin IS NOT NULL), (SELECT version FROM metric_state WHERE id = 1)
  FROM (
    SELECT g.ms AS grain_ms, e.created_at_ms - (e.created_at_ms % g.ms) AS bucket_ms, coalesce(e.instance_id, '') AS i,
      coalesce(e.workflow_id, '') AS w, coalesce(e.mapping_id, '') AS m,
      CASE WHEN ${timedSql('e')} THEN CAST(${binOfRowSql('e')} AS TEXT) END AS bin,
${CONTRIBUTIONS.map((c) => `      SUM(${c.of('e')}) AS ${c.column},`).join('\n')}
      SUM(${timedSql('e')}) AS timed
    FROM executions e, (${GRAINS_MS.map((g) => `SELECT ${g} AS ms`).join(' UNION ALL ')}) AS g
    WHERE ${rows} AND e.status IN ${TERMINAL}
    GROUP BY 1, 2, 3, 4, 5, 6
  ) WHERE true
  GROUP BY grain_ms, bucket_ms, i, w, m
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
${ROLLUP_COLUMNS.map((c) => `    ${c} = ${c} + excluded.${c},`).join('\n')}
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
