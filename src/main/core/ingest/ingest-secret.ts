import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger';

/**
 * The HMAC secret senders sign events with. It lives in a file only its owner can read, next to
 * the store; the console never sends it to a window. Local tools (the CLI) read the file.
 */
export function ingestSecretPath(dataDir: string): string {
  return join(dataDir, 'keys', 'ingest.secret');
}

export function loadOrCreateIngestSecret(dataDir: string, logger: Logger): string {
  const file = ingestSecretPath(dataDir);
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    logger.warn('The ingest secret file was readable by others; restricting it to its owner', { file });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, 'utf8').trim();
}
