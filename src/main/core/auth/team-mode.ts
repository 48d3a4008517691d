import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STORE_FILE } from '../db/store';

/**
 * Whether a data folder is in team mode, read without taking it (the host asks before it starts,
 * to know whether a network-facing bind needs the shared token). Any trouble reading means "no":
 * the core then opens the folder properly and reports what is wrong.
 */
export function readTeamMode(dataDir: string): boolean {
  const file = join(dataDir, STORE_FILE);
  if (!existsSync(file)) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 1_000 });
    return db.prepare('SELECT 1 FROM team_mode WHERE id = 1').get() !== undefined;
  } catch {
    // No team_mode table yet (an older store), or unreadable: not team mode.
    return false;
  } finally {
    db?.close();
  }
}
