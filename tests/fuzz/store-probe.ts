import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * A second, read-only connection to a data folder's SQLite store, to see what a call did
 * without going through the code under test: per-table checksums, integrity checks, ids.
 */

/** Tables no call's refusal is judged by, and why. */
export const DERIVED_TABLES: Record<string, string> = {
  // The full-text index of executions (and its shadow tables) is rebuilt from executions by triggers.
  executions_fts: 'derived from executions by triggers',
  // SQLite's own bookkeeping.
  sqlite_sequence: 'SQLite internal',
  sqlite_stat1: 'SQLite internal',
};

const isDerived = (table: string) =>
  table in DERIVED_TABLES || table.startsWith('executions_fts_') || table.startsWith('sqlite_');

export type Checksums = Record<string, string>;

export interface StoreProbe {
  /** Changes whenever another connection (the core's) commits: a cheap "did anything happen". */
  dataVersion(): number;
  /** One hash per table of every row's content. */
  checksums(): Checksums;
  /** The names of tables whose checksum differs. */
  diff(before: Checksums, after: Checksums): string[];
  ids(sql: string, ...params: unknown[]): unknown[];
  count(sql: string, ...params: unknown[]): number;
  rows(sql: string, ...params: unknown[]): unknown[];
  integrity(): { integrity: string[]; foreignKeys: unknown[] };
  close(): void;
}

export function openStoreProbe(dataDir: string, file = 'flightdeck.sqlite'): StoreProbe {
  const db = new Database(join(dataDir, file), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const tables = () =>
    (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]).filter(
      (t) => !isDerived(t),
    );

  return {
    dataVersion: () => db.pragma('data_version', { simple: true }) as number,
    checksums() {
      const out: Checksums = {};
      // One read transaction, so every table is seen at the same commit.
      db.transaction(() => {
        for (const table of tables()) {
          const hash = createHash('sha1');
          let rows = 0;
          for (const row of db.prepare(`SELECT * FROM "${table}"`).raw().iterate()) {
            hash.update(JSON.stringify(row));
            hash.update('\n');
            rows++;
          }
          out[table] = `${rows}:${hash.digest('hex')}`;
        }
      })();
      return out;
    },
    diff(before, after) {
      const names = new Set([...Object.keys(before), ...Object.keys(after)]);
      return [...names].filter((t) => before[t] !== after[t]).sort();
    },
    ids: (sql, ...params) =>
      db
        .prepare(sql)
        .pluck()
        .all(...params),
    rows: (sql, ...params) => db.prepare(sql).all(...params),
    count: (sql, ...params) =>
      db
        .prepare(sql)
        .pluck()
        .get(...params) as number,
    integrity: () => ({
      integrity: (db.pragma('integrity_check') as Record<string, string>[]).map((r) => Object.values(r)[0]!),
      foreignKeys: db.pragma('foreign_key_check') as unknown[],
    }),
    close: () => db.close(),
  };
}
