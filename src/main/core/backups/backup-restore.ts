/**
 * Compares a staged backup with the store (the dry-run preview) and applies it in one
 * transaction: every table in the backup is replaced by the backup's rows; tables the backup
 * does not hold (execution history when it was left out) are kept as they are. Secret columns a
 * backup left out keep the local value of the same row.
 */
import type Database from 'better-sqlite3';
import type { TablePreview } from '../../../shared/contract/backups';
import { REMOTE_STAGING_TABLE, STAGING_SCHEMA, type StagedBackup } from './backup-reader';
import { dependencyOrder, quote, readTables, type TableInfo } from './tables';

interface Plan {
  table: TableInfo;
  /** Columns carried by the backup, minus dropped secrets. */
  compared: string[];
  redacted: string[];
}

function plansOf(db: Database.Database, staged: StagedBackup): Plan[] {
  const sections = new Map(staged.manifest.sections.map((s) => [s.name, s]));
  return dependencyOrder(readTables(db))
    .filter((t) => staged.tables.includes(t.name))
    .map((table) => {
      const section = sections.get(`table:${table.name}`);
      return { table, compared: section?.columns ?? [], redacted: section?.redacted ?? [] };
    });
}

const count = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get() as number;

/** Per table: rows the restore would add, change, remove or leave unchanged. */
export function previewRestore(db: Database.Database, staged: StagedBackup): TablePreview[] {
  const plans = plansOf(db, staged);
  const replaced = plans.map(({ table, compared }): TablePreview => {
    const t = quote(table.name);
    const cols = compared.map(quote).join(', ');
    const inBackup = count(db, `SELECT count(*) FROM ${STAGING_SCHEMA}.${t}`);
    const local = count(db, `SELECT count(*) FROM main.${t}`);
    const unchanged = count(
      db,
      `SELECT count(*) FROM (SELECT ${cols} FROM ${STAGING_SCHEMA}.${t} INTERSECT SELECT ${cols} FROM main.${t})`,
    );
    if (table.primaryKey.length === 0) {
      return {
        table: table.name,
        action: 'replace',
        add: inBackup - unchanged,
        change: 0,
        remove: local - unchanged,
        unchanged,
      };
    }
    const on = table.primaryKey.map((k) => `s.${quote(k)} IS m.${quote(k)}`).join(' AND ');
    const both = count(db, `SELECT count(*) FROM ${STAGING_SCHEMA}.${t} s JOIN main.${t} m ON ${on}`);
    return {
      table: table.name,
      action: 'replace',
      add: inBackup - both,
      change: both - unchanged,
      remove: local - both,
      unchanged,
    };
  });
  const kept = readTables(db)
    .filter((t) => !staged.tables.includes(t.name))
    .map((t): TablePreview => {
      const local = count(db, `SELECT count(*) FROM main.${quote(t.name)}`);
      return { table: t.name, action: 'keep', add: 0, change: 0, remove: 0, unchanged: local };
    });
  return [...replaced, ...kept];
}

/** Replaces the backed-up tables. Call inside `store.write`: it commits with the caller, or not at all. */
export function applyRestore(
  db: Database.Database,
  staged: StagedBackup,
): { tables: number; rows: number; snapshots: number } {
  const plans = plansOf(db, staged);
  db.pragma('defer_foreign_keys = ON');
  const kept: string[] = [];
  for (const { table, redacted } of plans) {
    if (redacted.length === 0 || table.primaryKey.length === 0) continue;
    const keep = `fd_keep_${table.name}`;
    db.exec(`DROP TABLE IF EXISTS temp.${quote(keep)}`);
    db.exec(
      `CREATE TEMP TABLE ${quote(keep)} AS SELECT ${[...table.primaryKey, ...redacted].map(quote).join(', ')} FROM main.${quote(table.name)}`,
    );
    kept.push(keep);
  }
  for (const { table } of [...plans].reverse()) db.exec(`DELETE FROM main.${quote(table.name)}`);
  let rows = 0;
  for (const { table, redacted } of plans) {
    const t = quote(table.name);
    const cols = table.columns.map((c) => quote(c.name)).join(', ');
    rows += db.prepare(`INSERT INTO main.${t} (${cols}) SELECT ${cols} FROM ${STAGING_SCHEMA}.${t}`).run().changes;
    if (redacted.length && table.primaryKey.length) {
      const keep = quote(`fd_keep_${table.name}`);
      const on = table.primaryKey.map((k) => `k.${quote(k)} IS ${t}.${quote(k)}`).join(' AND ');
      db.exec(
        `UPDATE main.${t} SET ${redacted.map((c) => `${quote(c)} = k.${quote(c)}`).join(', ')} FROM temp.${keep} k WHERE ${on}`,
      );
    }
  }
  for (const keep of kept) db.exec(`DROP TABLE temp.${quote(keep)}`);
  return { tables: plans.length, rows, snapshots: keepRemoteAsSnapshots(db, staged) };
}

/**
 * The n8n workflows in the backup become one snapshot per instance (the next version number),
 * so the Snapshots panel can push them back into that instance or another.
 */
function keepRemoteAsSnapshots(db: Database.Database, staged: StagedBackup): number {
  const label = `From the backup of ${new Date(staged.manifest.createdAtMs).toISOString()}`;
  const read = db
    .prepare(`SELECT workflow_json FROM ${REMOTE_STAGING_TABLE} WHERE instance_id = ? ORDER BY rowid`)
    .pluck();
  let made = 0;
  for (const { instanceId, workflows } of staged.remote) {
    if (workflows === 0) continue;
    const list = (read.all(instanceId) as string[]).map((json) => JSON.parse(json) as unknown);
    const version =
      ((db.prepare('SELECT max(version) FROM main.n8n_snapshots WHERE instance_id = ?').pluck().get(instanceId) as
        number | null) ?? 0) + 1;
    db.prepare(
      `INSERT INTO main.n8n_snapshots (instance_id, version, label, taken_at_ms, workflow_count, tag_count,
        variable_count, data_json) VALUES (?, ?, ?, ?, ?, 0, 0, ?)`,
    ).run(
      instanceId,
      version,
      label,
      staged.manifest.createdAtMs,
      list.length,
      JSON.stringify({ workflows: list, tags: [], variables: [] }),
    );
    made++;
  }
  return made;
}
