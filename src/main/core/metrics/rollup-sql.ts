/**
 * The one definition of what a run adds to metric_rollups. Two writers use it: the per-row
 * triggers on executions (migrations 0014 and 0024 hold their text) and the batch folds of
 * rollup-batch.ts (the n8n sync's pages, the dispatcher's worker turns). `rollupTriggerSql`
 * writes the triggers from it; rollup-sql.test.ts checks that the triggers of a migrated store are
 * exactly that text, so neither side can change without the other: a change here needs a
 * migration that re-creates the triggers from `rollupTriggerSql()`, and a migration that changes
 * a trigger by hand fails the test.
 */
import { binSql } from './histogram';

/** Statuses a run ends in: only these count in the rollups. */
export const TERMINAL_SQL = `('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')`;

/** The two grains kept: hours and days (ms). */
export const GRAINS_MS = [3_600_000, 86_400_000] as const;

/**
 * Each counter of a rollup row and what one execution row (alias `r`) adds to it: a row counts
 * as a run unless a retry superseded it; attempts count every row (a synced n8n execution is one).
 */
export const CONTRIBUTIONS: readonly { column: string; of(r: string): string }[] = [
  { column: 'total', of: (r) => `(${r}.superseded_by_id IS NULL)` },
  ...(['succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected'] as const).map((status) => ({
    column: status,
    of: (r: string) => `(${r}.superseded_by_id IS NULL AND ${r}.status = '${status}')`,
  })),
  { column: 'duration_count', of: (r) => `(${r}.superseded_by_id IS NULL AND ${r}.duration_ms IS NOT NULL)` },
  {
    column: 'duration_sum_ms',
    of: (r) => `(CASE WHEN ${r}.superseded_by_id IS NULL THEN coalesce(${r}.duration_ms, 0) ELSE 0 END)`,
  },
  { column: 'queue_wait_count', of: (r) => `(${r}.superseded_by_id IS NULL AND ${r}.queue_wait_ms IS NOT NULL)` },
  {
    column: 'queue_wait_sum_ms',
    of: (r) => `(CASE WHEN ${r}.superseded_by_id IS NULL THEN coalesce(${r}.queue_wait_ms, 0) ELSE 0 END)`,
  },
  { column: 'attempts', of: (r) => `(CASE WHEN ${r}.source = 'remote' THEN 1 ELSE ${r}.attempts END)` },
  {
    column: 'failed_attempts',
    of: (r) =>
      `(CASE WHEN ${r}.source = 'remote' THEN ${r}.status = 'failed' ELSE max(${r}.attempts - (coalesce(${r}.response_status, 0) BETWEEN 200 AND 299), 0) END)`,
  },
];

/** Whether a row adds its duration to the histogram (the same rule as duration_count). */
export const timedSql = (r: string) => `(${r}.superseded_by_id IS NULL AND ${r}.duration_ms IS NOT NULL)`;

/** The histogram bin of a row's duration, as the triggers and the folds compute it. */
export const binOfRowSql = (r: string) => binSql(`${r}.duration_ms`);

/** Columns whose change moves a row's contribution (the update triggers watch exactly these). */
export const WATCHED_COLUMNS = [
  'status',
  'created_at_ms',
  'instance_id',
  'workflow_id',
  'mapping_id',
  'duration_ms',
  'queue_wait_ms',
  'superseded_by_id',
  'attempts',
  'response_status',
  'source',
] as const;

const VERSION = '(SELECT version FROM metric_state WHERE id = 1)';
const ROLLUP_COLUMNS = [
  'grain_ms',
  'bucket_ms',
  'instance_id',
  'workflow_id',
  'mapping_id',
  ...CONTRIBUTIONS.map((c) => c.column),
  'hist_json',
  'revision',
].join(', ');
const bucket = (r: string, grain: number) => `${r}.created_at_ms - (${r}.created_at_ms % ${grain})`;
const histStep = (r: string, sign: '+' | '-') =>
  `hist_json = CASE WHEN NOT ${timedSql(r)} THEN hist_json
      ELSE json_set(hist_json, '$."' || (${binOfRowSql(r)}) || '"', coalesce(hist_json ->> ('$."' || (${binOfRowSql(r)}) || '"'), 0) ${sign} 1) END`;

/** Adds row `r` (NEW) to its rollup row of `grain`, creating it if needed. */
const addRow = (r: string, grain: number) => `  INSERT INTO metric_rollups
    (${ROLLUP_COLUMNS})
  VALUES (${grain}, ${bucket(r, grain)}, coalesce(${r}.instance_id, ''), coalesce(${r}.workflow_id, ''), coalesce(${r}.mapping_id, ''),
${CONTRIBUTIONS.map((c) => `     ${c.of(r)},`).join('\n')}
     CASE WHEN ${timedSql(r)} THEN json_object(CAST((${binOfRowSql(r)}) AS TEXT), 1) ELSE '{}' END,
     ${VERSION})
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
${CONTRIBUTIONS.map((c) => `    ${c.column} = ${c.column} + excluded.${c.column},`).join('\n')}
    ${histStep(r, '+')};`;

/** Takes row `r` (OLD) out of its rollup row of `grain`. */
const subtractRow = (r: string, grain: number) => `  UPDATE metric_rollups SET
    revision = ${VERSION},
${CONTRIBUTIONS.map((c) => `    ${c.column} = ${c.column} - ${c.of(r)},`).join('\n')}
    ${histStep(r, '-')}
  WHERE grain_ms = ${grain} AND bucket_ms = ${bucket(r, grain)}
    AND instance_id = coalesce(${r}.instance_id, '') AND workflow_id = coalesce(${r}.workflow_id, '')
    AND mapping_id = coalesce(${r}.mapping_id, '');`;

const body = (step: (r: string, grain: number) => string, r: string) => `BEGIN
${GRAINS_MS.map((g) => step(r, g)).join('\n')}
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END`;

const held = (r: string) => `${r}.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), ${r}.id)`;
const notDeferred = `NOT EXISTS (SELECT 1 FROM metric_deferred WHERE id = OLD.id)`;
const changed = `(${WATCHED_COLUMNS.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')})`;
const ofWatched = `AFTER UPDATE OF ${WATCHED_COLUMNS.join(', ')} ON executions`;

/**
 * The four rollup triggers on executions, by name, as the newest migration that made each one
 * wrote them (insert: 0014; delete and both updates: 0024, which added metric_deferred).
 */
export function rollupTriggerSql(): Record<string, string> {
  return {
    metric_rollups_insert: `CREATE TRIGGER metric_rollups_insert AFTER INSERT ON executions
WHEN NEW.status IN ${TERMINAL_SQL}
  AND (SELECT defer_above_id FROM metric_state WHERE id = 1) IS NULL
${body(addRow, 'NEW')}`,
    metric_rollups_delete: `CREATE TRIGGER metric_rollups_delete AFTER DELETE ON executions
WHEN OLD.status IN ${TERMINAL_SQL}
  AND ${held('OLD')}
  AND ${notDeferred}
${body(subtractRow, 'OLD')}`,
    metric_rollups_update_old: `CREATE TRIGGER metric_rollups_update_old ${ofWatched}
WHEN OLD.status IN ${TERMINAL_SQL}
  AND ${held('OLD')}
  AND ${changed}
  AND ${notDeferred}
${body(subtractRow, 'OLD')}`,
    metric_rollups_update_new: `CREATE TRIGGER metric_rollups_update_new ${ofWatched}
WHEN NEW.status IN ${TERMINAL_SQL}
  AND ${held('NEW')}
  AND ${changed}
  AND ${notDeferred}
${body(addRow, 'NEW')}`,
  };
}
