import type Database from 'better-sqlite3';

/**
 * Turns on incremental vacuum: deleted rows' pages can then be handed back to the file system
 * (reclaimSpace), so the store shrinks after retention instead of only ever growing. A new store
 * gets it at once; an existing one is rewritten once (VACUUM), at its first open by this version.
 */
export function enableIncrementalVacuum(db: Database.Database): void {
  if (db.pragma('auto_vacuum', { simple: true }) === 2) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  // Once the file has its first page (WAL mode writes it), the mode changes only by a rewrite:
  // instant on a new store, once on an old one.
  if (db.pragma('auto_vacuum', { simple: true }) !== 2) db.exec('VACUUM');
}

/**
 * Gives free pages back to the file system, a slice at a time (each slice is a short write, so
 * the dispatcher is never held up for long), then truncates the WAL. Returns pages released.
 */
export function reclaimSpace(db: Database.Database, maxPages = 100_000, slice = 2_000): number {
  if (db.pragma('auto_vacuum', { simple: true }) !== 2) return 0;
  const free = () => db.pragma('freelist_count', { simple: true }) as number;
  let released = 0;
  while (released < maxPages) {
    const before = free();
    if (before === 0) break;
    db.pragma(`incremental_vacuum(${Math.min(slice, maxPages - released)})`);
    const after = free();
    if (after >= before) break;
    released += before - after;
  }
  if (released > 0) db.pragma('wal_checkpoint(TRUNCATE)');
  return released;
}
