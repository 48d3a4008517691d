import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventChannel, EventPayload } from '../../../shared/contract';
import type { EventBus } from '../events';
import { migrate, StartupError, type Migration } from './migrate';
import { enableIncrementalVacuum } from './reclaim';

export type Announce = <E extends EventChannel>(event: E, payload: EventPayload<E>) => void;

/** The SQLite store: one connection, and writes whose events are announced after commit. */
export interface Store {
  readonly db: Database.Database;
  readonly file: string;
  readonly schemaVersion: number;
  /**
   * Runs `fn` in one IMMEDIATE transaction. Events passed to `announce` are published only
   * once the transaction has committed, and dropped if it rolls back. Nested writes join the
   * outermost transaction.
   */
  write<T>(fn: (announce: Announce) => T): T;
  /**
   * Like `write`, but inside another write it joins that one without a savepoint of its own: a
   * throw rolls back to the enclosing write's savepoint (or the whole transaction). For hot paths
   * that never catch their own failures inside a transaction (the door's events, the queue's
   * batches), where a savepoint per step was a measurable share of the work.
   */
  join<T>(fn: (announce: Announce) => T): T;
  close(): void;
}

export interface OpenStoreOptions {
  dataDir: string;
  bus: EventBus;
  migrations: Migration[];
  now: () => number;
  /** Path to a better-sqlite3 binary built for another runtime (Electron's ABI). */
  nativeBinding?: string;
  /** Told of a problem that does not stop the store from opening. */
  onWarning?(message: string): void;
}

export const STORE_FILE = 'flightdeck.sqlite';

export function openStore(options: OpenStoreOptions): Store {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = join(options.dataDir, STORE_FILE);
  let db: Database.Database;
  try {
    createPrivateFile(file);
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    db.pragma('journal_mode = WAL');
  } catch (error) {
    throw new StartupError(
      'UNREADABLE_DATABASE',
      `Cannot open the database at ${file}: ${(error as Error).message}. Move the file aside or choose another data directory.`,
    );
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    enableIncrementalVacuum(db);
  } catch (error) {
    // Not fatal: the store works without it, it only does not shrink after retention.
    options.onWarning?.(`Incremental vacuum is off: ${(error as Error).message}`);
  }

  let schemaVersion: number;
  try {
    schemaVersion = migrate(db, options.migrations, options.now);
  } catch (error) {
    db.close();
    if (error instanceof StartupError) throw error;
    throw new StartupError('UNREADABLE_DATABASE', `Cannot read the database at ${file}: ${(error as Error).message}`);
  }

  // Transaction control as prepared statements, run directly: better-sqlite3's db.transaction()
  // builds a new wrapper per call, which showed in profiles of the door (a write per event, and
  // savepoints inside the group commit). Same protocol as that wrapper: BEGIN IMMEDIATE / COMMIT,
  // a savepoint when already inside a transaction, ROLLBACK (TO) only while one is still open.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT flightdeck_write');
  const release = db.prepare('RELEASE flightdeck_write');
  const rollbackTo = db.prepare('ROLLBACK TO flightdeck_write');

  function atomically<T>(fn: () => T): T {
    const nested = db.inTransaction;
    (nested ? savepoint : begin).run();
    try {
      const result = fn();
      if (result instanceof Promise) throw new TypeError('A store write cannot return a promise.');
      (nested ? release : commit).run();
      return result;
    } catch (error) {
      if (db.inTransaction) {
        if (nested) {
          rollbackTo.run();
          release.run();
        } else rollback.run();
      }
      throw error;
    }
  }

  /** Events of the innermost write in progress (undefined outside writes). */
  let pending: [EventChannel, unknown][] | undefined;
  const announceTo =
    (list: [EventChannel, unknown][]): Announce =>
    (event, payload) =>
      void list.push([event, payload]);

  function write<T>(fn: (announce: Announce) => T): T {
    // A write inside another write joins it (as a savepoint); its events wait for the outer
    // commit, so nothing is announced that could still roll back.
    // A nested write that fails is rolled back to its savepoint, and its events are dropped
    // with it (the outer write may catch the error and commit the rest: group commit does).
    if (pending) {
      const outer = pending;
      const inner: [EventChannel, unknown][] = [];
      pending = inner;
      let result: T;
      try {
        result = atomically(() => fn(announceTo(inner)));
      } finally {
        pending = outer;
      }
      outer.push(...inner);
      return result;
    }
    const mine: [EventChannel, unknown][] = [];
    pending = mine;
    let result: T;
    try {
      result = atomically(() => fn(announceTo(mine)));
    } finally {
      pending = undefined;
    }
    for (const [event, payload] of mine) options.bus.publish(event, payload as never);
    return result;
  }

  return {
    db,
    file,
    schemaVersion,
    write,
    join<T>(fn: (announce: Announce) => T): T {
      return pending ? fn(announceTo(pending)) : write(fn);
    },
    close: () => db.close(),
  };
}

/**
 * Creates the store 0600 before SQLite does (SQLite would use 0644 less the umask). SQLite gives
 * the -wal and -shm files it creates later the database file's own mode, so they are private too.
 * Only when missing: opening and closing a file another connection of this process has locked
 * would drop that lock (POSIX locks belong to the process).
 */
function createPrivateFile(file: string): void {
  if (existsSync(file)) return;
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
