/**
 * What a backup holds, read from the store itself: every table in sqlite_master (so areas
 * added later are included without touching this code) except the few listed below.
 */
import type Database from 'better-sqlite3';

/**
 * Never in a backup: the migration ledger; tables derived from others by triggers (metric
 * rollups — restoring executions re-derives them); and the work queue, whose jobs would be
 * dispatched again by the restored console (a restore starts with an empty queue); and the
 * ingest replay ledger, which must outlive a restore: replacing it would accept again every
 * signed request still inside its window. Team mode's accounts, sessions and tokens stay out
 * too: they are who may act on this console now, and a restore must not bring back a revoked
 * session or token, a removed account or an old password (nor switch team mode on or off).
 */
export const EXCLUDED_TABLES = new Set([
  '_migrations',
  'metric_rollups',
  'metric_state',
  'metric_deferred',
  'jobs',
  'job_attempts',
  'job_payloads',
  'idempotency_keys',
  'ingest_replay',
  // Which runs the search index holds: it describes this file's index, not the data.
  'search_state',
  'team_mode',
  'users',
  'sessions',
  'api_tokens',
]);

/**
 * Plain tables of a schema: virtual tables (full-text indexes) and their shadow tables are
 * maintained by triggers and are neither backed up nor staged.
 */
export function plainTables(db: Database.Database, schema = 'main'): { name: string; sql: string }[] {
  const all = db
    .prepare(
      `SELECT name, sql FROM ${schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )
    .all() as { name: string; sql: string }[];
  const virtual = all.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
  return all.filter((t) => !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`)));
}
/** Large and optional: left out unless the operator asks for execution history. */
export const OPTIONAL_TABLES = new Set(['executions', 'execution_bodies']);

/**
 * Columns that have moved to another table since older backups were made: such a backup's
 * values of them are restored into `to` (keyed by the same `key`), so it restores as it was.
 * 0026_execution_bodies moved a run's payload and request beside its row.
 */
export const MOVED_COLUMNS: Record<string, { to: string; key: string; columns: string[] }> = {
  executions: { to: 'execution_bodies', key: 'id', columns: ['payload_json', 'request_json'] },
};

/**
 * Secret columns: dropped from a backup unless it is passphrase-encrypted. Matched by name so
 * a later area's `api_key_enc` or `webhook_secret` is covered without being listed here.
 */
export const isSecretColumn = (column: string) =>
  /(^|_)api_key($|_)|(^|_)secret$|_enc$|(^|_)password($|_)|(^|_)token_enc/i.test(column);

export interface TableInfo {
  name: string;
  columns: { name: string; type: string; notNull: boolean; hasDefault: boolean; pk: number }[];
  /** Primary-key columns in key order; empty for a table keyed by rowid only. */
  primaryKey: string[];
  /** Tables this one references (foreign keys). */
  references: string[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
export { quote };

export function readTables(db: Database.Database, schema = 'main'): TableInfo[] {
  return plainTables(db, schema)
    .map((t) => t.name)
    .filter((n) => !EXCLUDED_TABLES.has(n))
    .map((name) => {
      const cols = db.prepare(`PRAGMA ${schema}.table_info(${quote(name)})`).all() as {
        name: string;
        type: string;
        notnull: number;
        dflt_value: unknown;
        pk: number;
      }[];
      const refs = db.prepare(`PRAGMA ${schema}.foreign_key_list(${quote(name)})`).all() as { table: string }[];
      return {
        name,
        columns: cols.map((c) => ({
          name: c.name,
          type: c.type.toUpperCase(),
          notNull: c.notnull === 1,
          hasDefault: c.dflt_value !== null,
          pk: c.pk,
        })),
        primaryKey: cols
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name),
        references: [...new Set(refs.map((r) => r.table).filter((t) => t !== name))],
      };
    });
}

/** Parents before children, so inserts satisfy foreign keys (deletes go in reverse). */
export function dependencyOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (t: TableInfo, path: Set<string>) => {
    if (done.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    for (const r of t.references) {
      const parent = byName.get(r);
      if (parent) visit(parent, path);
    }
    done.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return out;
}

/** A value for a NOT NULL column the backup does not carry (a dropped secret, a newer column). */
export function placeholderFor(type: string): string | number | Buffer {
  if (type.includes('INT') || type.includes('REAL')) return 0;
  if (type.includes('BLOB')) return Buffer.alloc(0);
  return '';
}
