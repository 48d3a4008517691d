import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface Migration {
  /** Schema version this migration brings the database to (1, 2, 3…). */
  version: number;
  name: string;
  sql: string;
}

export type StartupFailure = 'EDITED_MIGRATION' | 'NEWER_SCHEMA' | 'MIGRATION_FAILED' | 'UNREADABLE_DATABASE';

/** A reason the store refuses to open, worded for the operator who will read it in the UI. */
export class StartupError extends Error {
  constructor(
    readonly reason: StartupFailure,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Brings the database up to the newest migration, one transaction per step, recording each
 * file's hash. Refuses (without changing anything) when a recorded migration was edited or the
 * database was written by a newer build.
 */
export function migrate(db: Database.Database, migrations: Migration[], now: () => number): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 1..n without gaps (found ${m.version})`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS _migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at_ms INTEGER NOT NULL
  ) STRICT`);
  const applied = db.prepare('SELECT version, name, sha256 FROM _migrations ORDER BY version').all() as {
    version: number;
    name: string;
    sha256: string;
  }[];

  const newest = applied.at(-1)?.version ?? 0;
  if (newest > migrations.length) {
    throw new StartupError(
      'NEWER_SCHEMA',
      `This database uses schema version ${newest}, but this build of Flightdeck only knows up to ` +
        `version ${migrations.length}. Update Flightdeck, or start it with another data directory.`,
    );
  }
  for (const row of applied) {
    const known = migrations[row.version - 1];
    if (!known || known.name !== row.name || sha256(known.sql) !== row.sha256) {
      throw new StartupError(
        'EDITED_MIGRATION',
        `Migration ${String(row.version).padStart(4, '0')}_${row.name} has changed since it was applied ` +
          `to this database. Shipped migrations are append-only: restore the original file or add a new migration.`,
      );
    }
  }

  const record = db.prepare('INSERT INTO _migrations (version, name, sha256, applied_at_ms) VALUES (?, ?, ?, ?)');
  for (const m of migrations.slice(applied.length)) {
    try {
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name, sha256(m.sql), now());
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (error) {
      throw new StartupError(
        'MIGRATION_FAILED',
        `Migration ${m.version} (${m.name}) failed: ${(error as Error).message}. The database was left at version ${m.version - 1}.`,
      );
    }
  }
  return migrations.length;
}
