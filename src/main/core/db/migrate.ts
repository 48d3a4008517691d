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
 * database was written by a newer build (it holds a migration this build does not know).
 *
 * Versions must be distinct and increasing but may leave gaps: branches reserve numbers ahead
 * (a 0020 may ship before 0016–0019). A migration that fills a gap later is applied then.
 * Returns the schema version: the highest migration this build knows.
 */
export function migrate(db: Database.Database, migrations: Migration[], now: () => number): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1 || (i > 0 && m.version === sorted[i - 1]?.version))
      throw new Error(`Migration versions must be distinct whole numbers from 1 (found ${m.version} twice or invalid)`);
  });
  const known = new Map(sorted.map((m) => [m.version, m]));
  const latest = sorted.at(-1)?.version ?? 0;
  db.exec(`CREATE TABLE IF NOT EXISTS _migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at_ms INTEGER NOT NULL
  ) STRICT`);
  const applied = db.prepare('SELECT version, name, sha256 FROM _migrations ORDER BY version').all() as {
    version: number;
    name: string;
    sha256: string;
  }[];

  const unknown = applied.find((row) => !known.has(row.version));
  if (unknown) {
    const newest = applied.at(-1)?.version ?? 0;
    throw new StartupError(
      'NEWER_SCHEMA',
      `This database uses schema version ${newest}, but this build of Flightdeck only knows up to ` +
        `version ${latest}${unknown.version < latest ? ` (and not version ${unknown.version})` : ''}. Update Flightdeck, or start it with another data directory.`,
    );
  }
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m || m.name !== row.name || sha256(m.sql) !== row.sha256) {
      throw new StartupError(
        'EDITED_MIGRATION',
        `Migration ${String(row.version).padStart(4, '0')}_${row.name} has changed since it was applied ` +
          `to this database. Shipped migrations are append-only: restore the original file or add a new migration.`,
      );
    }
  }

  const done = new Set(applied.map((row) => row.version));
  const record = db.prepare('INSERT INTO _migrations (version, name, sha256, applied_at_ms) VALUES (?, ?, ?, ?)');
  let previous = applied.at(-1)?.version ?? 0;
  for (const m of sorted.filter((m) => !done.has(m.version))) {
    try {
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name, sha256(m.sql), now());
        previous = Math.max(previous, m.version);
        db.pragma(`user_version = ${previous}`);
      })();
    } catch (error) {
      throw new StartupError(
        'MIGRATION_FAILED',
        `Migration ${m.version} (${m.name}) failed: ${(error as Error).message}. The database was left at version ${previous}.`,
      );
    }
  }
  return latest;
}
