import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger';

/**
 * The HMAC secret senders sign events with. It lives in a file only its owner can read, next to
 * the store; the console never sends it to a window. Local tools (the CLI) read the file.
 */
export function ingestSecretPath(dataDir: string): string {
  return join(dataDir, 'keys', 'ingest.secret');
}

/** What the console writes: 32 random bytes as hex. Anything else is refused, never used as a key. */
const SECRET_FORMAT = /^[0-9a-f]{64}$/;

/** The secret file exists but does not hold a secret: the door and the CLI refuse to use it. */
export class MalformedIngestSecretError extends Error {
  constructor(readonly file: string) {
    super(
      `The ingest secret ${file} is not a secret this console wrote (64 hex characters). ` +
        'Delete the file and restart the console to make a new one; every sender (n8n credentials, ' +
        'scripts) then needs the new secret.',
    );
    this.name = 'MalformedIngestSecretError';
  }
}

function parseSecret(file: string, text: string): string {
  const secret = text.trim();
  if (!SECRET_FORMAT.test(secret)) throw new MalformedIngestSecretError(file);
  return secret;
}

/**
 * Reads the secret for a local tool (the CLI). Throws MalformedIngestSecretError for a file that
 * does not hold one (an HMAC with an empty key signs fine: anyone could sign), or the fs error.
 */
export function readIngestSecret(dataDir: string): string {
  const file = ingestSecretPath(dataDir);
  return parseSecret(file, readFileSync(file, 'utf8'));
}

/** Writes a fresh secret to a temp file and makes it durable before it gets its name. */
function writeTempSecret(file: string): string {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(32).toString('hex') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Makes the new name durable too (a crash after the rename must not lose the file). */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The console's secret, made on first start. Written whole or not at all (temp file, fsync,
 * link): a crash can no longer leave an empty file, which an earlier version could.
 *
 * A malformed file: an empty (or blank) one is replaced, because no sender can hold a working
 * copy of an empty secret — it can only be the leftover of such a crash, and keeping it would let
 * anyone sign. Any other content is refused (MalformedIngestSecretError) rather than replaced:
 * it may be a secret someone edited or copied in, and silently making a new one would break
 * every sender without saying why. The message tells the owner what to do.
 */
export function loadOrCreateIngestSecret(dataDir: string, logger: Logger): string {
  const file = ingestSecretPath(dataDir);
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let text: string | null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = null;
  }
  if (text === null || text.trim() === '') {
    const temp = writeTempSecret(file);
    try {
      if (text === null) {
        // link, not rename: a second process starting at the same moment keeps the first secret.
        try {
          linkSync(temp, file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      } else {
        logger.warn('The ingest secret file was empty (a crash while it was written); made a new one', { file });
        renameSync(temp, file);
      }
      syncDir(dir);
    } finally {
      try {
        unlinkSync(temp);
      } catch {
        // renamed away
      }
    }
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    logger.warn('The ingest secret file was readable by others; restricting it to its owner', { file });
    chmodSync(file, 0o600);
  }
  return readIngestSecret(dataDir);
}
