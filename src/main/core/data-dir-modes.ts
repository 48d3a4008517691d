import { chmodSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE, OWNER_FILE } from './data-dir';
import { STORE_FILE } from './db/store';

/** What the start-up check found: what it made private, and what it could not. */
export interface PrivacyReport {
  /** Paths this user owns that others could read, now 0700 (folders) or 0600 (files). */
  fixed: { path: string; was: string }[];
  /** Paths others can read that this user cannot change, each with the command that fixes it. */
  refused: { path: string; mode: string; command: string }[];
  /** The data folder is a shared one (sticky, like /tmp): never chmod it; use a folder of your own. */
  shared?: { path: string; mode: string };
}

/** Folders whose every file is private (key files, backups and uploads in progress). */
const PRIVATE_TREES = ['keys', 'backups'];
/** Files directly in the data folder: the store with its WAL and shared memory, and the lock. */
const PRIVATE_FILES = [
  STORE_FILE,
  `${STORE_FILE}-wal`,
  `${STORE_FILE}-shm`,
  `${STORE_FILE}-journal`,
  LOCK_FILE,
  OWNER_FILE,
];

/**
 * Makes the data folder private to its owner: the folder and its subfolders 0700, the store, its
 * -wal and -shm, key files and backups 0600. Anything this user owns is fixed in place; anything
 * it does not own is reported with the chmod command its owner must run. No-op on Windows, where
 * the per-user application-data folder's ACL already keeps other users out.
 */
export function makeDataDirPrivate(
  dataDir: string,
  env: { platform?: NodeJS.Platform; uid?: number } = {},
): PrivacyReport {
  const report: PrivacyReport = { fixed: [], refused: [] };
  const platform = env.platform ?? process.platform;
  const uid = env.uid ?? process.getuid?.();
  if (platform === 'win32' || uid === undefined) return report;

  const check = (path: string, stats: Stats) => {
    if ((stats.mode & 0o077) === 0) return;
    const wanted = stats.isDirectory() ? 0o700 : 0o600;
    const was = (stats.mode & 0o777).toString(8);
    if (stats.uid === uid) {
      try {
        chmodSync(path, wanted);
        report.fixed.push({ path, was });
        return;
      } catch {
        // Falls through to the refusal: the operator gets the command instead.
      }
    }
    report.refused.push({ path, mode: was, command: `chmod ${wanted.toString(8)} ${shellQuote(path)}` });
  };
  const visit = (path: string, depth: number, follow = false) => {
    const stats = statIfPresent(path, follow);
    // Symlinks are left alone: chmod would follow them out of the data folder.
    if (!stats || stats.isSymbolicLink()) return;
    check(path, stats);
    if (stats.isDirectory() && depth > 0) for (const name of listIfReadable(path)) visit(join(path, name), depth - 1);
  };

  const root = statIfPresent(dataDir, true);
  // A sticky folder (/tmp, /var/tmp) belongs to everyone: making it 0700 would break the machine.
  if (root && root.mode & 0o1000) {
    report.shared = { path: dataDir, mode: (root.mode & 0o7777).toString(8) };
    return report;
  }
  // The folder itself may be a symlink to where the data lives: its target is what must be 0700.
  visit(dataDir, 0, true);
  for (const name of PRIVATE_FILES) visit(join(dataDir, name), 0);
  // backups/incoming/<upload>.part is the deepest thing Flightdeck writes.
  for (const name of PRIVATE_TREES) visit(join(dataDir, name), 2);
  return report;
}

/** One sentence per problem, for the log line and the start-up error. */
export function describeRefusal(report: PrivacyReport): string {
  if (report.shared)
    return (
      `The data folder ${report.shared.path} is shared by every user (mode ${report.shared.mode}). ` +
      'Choose a folder of your own with --data-dir (or FLIGHTDECK_DATA_DIR), for example inside your home folder.'
    );
  const paths = report.refused.map((r) => `${r.path} (mode ${r.mode})`).join(', ');
  const commands = report.refused.map((r) => r.command).join(' && ');
  return (
    `Other users can read ${paths}, and this user cannot change that. ` +
    `As the owner of those files, run: ${commands} — then start Flightdeck again, or choose another data folder.`
  );
}

function statIfPresent(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A folder this user cannot list is one other users cannot list either: nothing to report. */
function listIfReadable(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') return [];
    throw error;
  }
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
