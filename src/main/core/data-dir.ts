import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';

/** Held locked for the life of the process that owns the data folder. */
export const LOCK_FILE = 'flightdeck.lock';
/** Who holds the lock: written beside it so a second process can name the running one. */
export const OWNER_FILE = 'flightdeck.owner.json';

/** Which shell runs the core that owns a data folder. */
export type ShellKind = 'desktop' | 'headless';

const ownerSchema = z.object({
  pid: z.number().int(),
  kind: z.enum(['desktop', 'headless']),
  /** Where the console answers (no token), once its host listens; null for the desktop app. */
  url: z.string().nullable(),
  /**
   * The host's token, so the same user's desktop app can open the running console. The record is
   * 0600 in a 0700 folder, beside the store and key files that are worth more than the token.
   */
  token: z.string().nullable(),
  startedAtMs: z.number(),
  hostname: z.string(),
});
export type OwnerRecord = z.infer<typeof ownerSchema>;

/** Another process holds the data folder; `owner` is its record, when readable. */
export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: OwnerRecord | null,
  ) {
    super(`${busySentence(owner)} Open that, or pass --data-dir.`);
    this.name = 'DataDirBusyError';
  }
}

/** The data folder cannot be locked at all (not writable, not a folder…). */
export class DataDirUnusableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirUnusableError';
  }
}

/** "Flightdeck is already running on this data folder (pid 1234, http://127.0.0.1:4680/)." */
export function busySentence(owner: OwnerRecord | null): string {
  const prefix = 'Flightdeck is already running on this data folder';
  if (!owner) return `${prefix} (another process holds its lock).`;
  const where = owner.url ?? (owner.kind === 'desktop' ? 'the desktop app' : 'headless, still starting');
  const machine = owner.hostname === hostname() ? '' : ` on ${owner.hostname}`;
  return `${prefix} (pid ${owner.pid}${machine}, ${where}).`;
}

export interface DataDirClaim {
  readonly dataDir: string;
  /** Records where the console can be opened, for a second process to point at. */
  publish(address: { url: string; token: string }): void;
  /** Removes the owner record and drops the lock. Idempotent. */
  release(): void;
}

export interface ClaimOptions {
  dataDir: string;
  kind: ShellKind;
  /** better-sqlite3 binary for a non-Node ABI (the Electron build). */
  nativeBinding?: string;
  now?: () => number;
}

/**
 * Takes the data folder for this process, or throws DataDirBusyError naming the process that has
 * it. The lock is SQLite's own file lock (fcntl on Unix, LockFileEx on Windows) on an empty
 * database held in an exclusive transaction: the kernel drops it when the process dies, however
 * it dies, so a crash never leaves a stale lock behind. SQLite also tracks its locks per file
 * inside one process, so a second claim from the same process conflicts too.
 */
export function claimDataDir(options: ClaimOptions): DataDirClaim {
  const { dataDir } = options;
  const lockFile = join(dataDir, LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Create it private. Only when missing: opening and closing a file this process has locked
    // through SQLite would drop the lock, because POSIX locks belong to the process and any
    // close() of that file releases them.
    if (!existsSync(lockFile)) createPrivateFile(lockFile);
    db = new Database(lockFile, {
      timeout: 0,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db?.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataDirBusyError(dataDir, readOwner(dataDir));
    throw new DataDirUnusableError(
      `Cannot take the data folder ${dataDir}: ${(error as Error).message}. Check that it is a folder you can write to, or choose another with --data-dir.`,
    );
  }
  const lock = db;

  let record: OwnerRecord = {
    pid: process.pid,
    kind: options.kind,
    url: null,
    token: null,
    startedAtMs: (options.now ?? Date.now)(),
    hostname: hostname(),
  };
  try {
    writeOwner(dataDir, record);
  } catch (error) {
    lock.exec('ROLLBACK');
    lock.close();
    throw new DataDirUnusableError(`Cannot write to the data folder ${dataDir}: ${(error as Error).message}.`);
  }

  let released = false;
  return {
    dataDir,
    publish(address) {
      if (released) return;
      record = { ...record, url: address.url, token: address.token };
      writeOwner(dataDir, record);
    },
    release() {
      if (released) return;
      released = true;
      // The record goes first: whoever takes the lock next must not find ours.
      rmSync(join(dataDir, OWNER_FILE), { force: true });
      lock.exec('ROLLBACK');
      lock.close();
    },
  };
}

/** The owner record, or null when it is missing, unreadable or names a process that is gone. */
export function readOwner(dataDir: string): OwnerRecord | null {
  let parsed: OwnerRecord;
  try {
    const result = ownerSchema.safeParse(JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')));
    if (!result.success) return null;
    parsed = result.data;
  } catch {
    // Missing or half-written: the holder is between taking the lock and writing its record.
    return null;
  }
  // A record left by a crash, read while a new owner is about to replace it, must not be quoted.
  if (parsed.hostname === hostname() && !processAlive(parsed.pid)) return null;
  return parsed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Replaced whole (write then rename), so a reader never sees half a record. */
function writeOwner(dataDir: string, record: OwnerRecord): void {
  const file = join(dataDir, OWNER_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(record) + '\n', { mode: 0o600 });
  renameSync(temp, file);
}
