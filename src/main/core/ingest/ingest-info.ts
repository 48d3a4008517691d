import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<data dir>/ingest.json`: how local tools (the CLI) find the running console's ingest door.
 * It is a hint, not a proof: the CLI still makes the console answer a challenge before it sends
 * anything, because whatever listens on that port later may not be Flightdeck.
 */
export interface IngestInfo {
  url: string;
  /** Process id of the console that wrote the file; a dead pid means the file is stale. */
  pid: number;
  /** When that process started, epoch ms (tells a reused pid's process apart in messages). */
  startedAtMs: number;
}

export const ingestInfoFile = (dataDir: string) => join(dataDir, 'ingest.json');

/** Written to a temporary file and renamed, so a reader never sees half a file; owner-only. */
export function writeIngestInfo(dataDir: string, info: IngestInfo): void {
  const file = ingestInfoFile(dataDir);
  const partial = `${file}.${process.pid}.tmp`;
  rmSync(partial, { force: true });
  writeFileSync(partial, JSON.stringify(info) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(partial, file);
}

export type ReadIngestInfo =
  { ok: true; info: IngestInfo } | { ok: false; reason: 'missing' | 'unreadable'; message: string };

export function readIngestInfo(dataDir: string): ReadIngestInfo {
  const file = ingestInfoFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { ok: false, reason: 'missing', message: `${file} does not exist` }
      : { ok: false, reason: 'unreadable', message: `${file} cannot be read (${code ?? 'error'})` };
  }
  try {
    const value = JSON.parse(text) as Partial<IngestInfo>;
    if (
      typeof value.url === 'string' &&
      /^http:\/\/[^/?#]+$/.test(value.url) &&
      Number.isSafeInteger(value.pid) &&
      (value.pid ?? 0) > 0 &&
      Number.isFinite(value.startedAtMs)
    ) {
      return { ok: true, info: { url: value.url, pid: value.pid!, startedAtMs: value.startedAtMs! } };
    }
  } catch {
    // Fall through: a file we cannot understand is as good as none (it is rewritten on start).
  }
  return { ok: false, reason: 'unreadable', message: `${file} is not a file this Flightdeck wrote` };
}

/** Removes the file on a clean shutdown, unless another process has written its own since. */
export function removeIngestInfo(dataDir: string, pid: number): void {
  const read = readIngestInfo(dataDir);
  if (read.ok && read.info.pid === pid) rmSync(ingestInfoFile(dataDir), { force: true });
}

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
