import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/result';
import type { Logger } from '../logger';

/**
 * Seals secrets (n8n API keys) at rest. The core only knows this interface: the desktop app
 * passes an Electron safeStorage implementation (src/main/app/safe-storage-box.ts); headless
 * and in tests the default is AES-256-GCM with a key file only its owner can read.
 *
 * Every value is sealed *bound to a context* (for an API key: its instance's id and address):
 * it opens only with that same context. A value moved to another row, or left behind when its
 * row's address changes (a crafted backup), no longer opens, so it can never be sent elsewhere.
 */
export interface SecretBox {
  /** Stored with each sealed value, so a store opened with another box can say why it cannot read it. */
  readonly kind: string;
  encrypt(plain: string, context: string): string;
  /**
   * Opens a value sealed with `context`. `bound: false`: a value sealed before binding existed
   * (it opens with any context); the caller should seal it again, bound.
   * Throws SecretMismatchError when the value does not open here (altered, sealed by another
   * key, or bound to another context); other errors mean the box itself is unusable.
   */
  decrypt(sealed: string, context: string): { plain: string; bound: boolean };
}

/** The sealed value does not open with this box and context: it was altered, moved or sealed elsewhere. */
export class SecretMismatchError extends Error {
  constructor(message = 'The sealed value does not open here (altered, moved, or sealed by another key).') {
    super(message);
    this.name = 'SecretMismatchError';
  }
}

/**
 * For a box that takes no associated data (Electron safeStorage): the context is sealed together
 * with the secret, first, and compared on opening. A sealed value moved to another context, or
 * altered, then fails as it would with AES-GCM associated data.
 */
export function wrapWithContext(plain: string, context: string): string {
  return JSON.stringify({ c: context, k: plain });
}

/** The secret of a `wrapWithContext` text; throws SecretMismatchError unless it was wrapped for `context`. */
export function unwrapWithContext(text: string, context: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretMismatchError();
  }
  const wrapped = value as { c?: unknown; k?: unknown } | null;
  if (typeof wrapped !== 'object' || wrapped === null || wrapped.c !== context || typeof wrapped.k !== 'string')
    throw new SecretMismatchError();
  return wrapped.k;
}

export const KEY_FILE = join('keys', 'master.key');
/** v1: unbound (before 0.2); v2: bound to a context as GCM associated data. */
const LEGACY = 'v1';
const VERSION = 'v2';

/**
 * AES-256-GCM with a random 32-byte key in <dataDir>/keys/master.key (mode 0600, folder 0700).
 * A key file that others can read is refused (on POSIX): the API keys it protects would be as
 * readable as the file.
 */
export function createFileKeyBox(dataDir: string, logger: Logger): SecretBox {
  const file = join(dataDir, KEY_FILE);
  let key: Buffer | undefined;

  function loadKey(): Buffer {
    if (key) return key;
    if (!existsSync(file)) {
      mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
      // 'wx': never overwrite a key another process created a moment ago.
      try {
        writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
        chmodSync(file, 0o600);
        logger.info('Created the key file that encrypts n8n API keys', { file });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    if (process.platform !== 'win32') {
      const mode = statSync(file).mode & 0o777;
      if (mode & 0o077) {
        logger.error('Refusing a key file that others can read', { file, mode: mode.toString(8) });
        throw new AppError(
          'UNAVAILABLE',
          `The key file ${file} is readable by other users (mode ${mode.toString(8)}). Run "chmod 600 ${file}" and try again.`,
        );
      }
    }
    const bytes = readFileSync(file);
    if (bytes.length !== 32)
      throw new AppError('UNAVAILABLE', `The key file ${file} is damaged (not 32 bytes). Restore it from a backup.`);
    key = bytes;
    return key;
  }

  function open(payload: string, context: string | null): string {
    const bytes = Buffer.from(payload, 'base64');
    if (bytes.length < 28) throw new SecretMismatchError();
    const decipher = createDecipheriv('aes-256-gcm', loadKey(), bytes.subarray(0, 12));
    if (context !== null) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretMismatchError();
    }
  }

  return {
    kind: 'aes-256-gcm-file',
    encrypt(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', loadKey(), iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(sealed, context) {
      const [version, payload, extra] = sealed.split(':');
      if (!payload || extra !== undefined) throw new SecretMismatchError('Not a value sealed by this box.');
      if (version === VERSION) return { plain: open(payload, context), bound: true };
      if (version === LEGACY) return { plain: open(payload, null), bound: false };
      throw new SecretMismatchError('Not a value sealed by this box.');
    },
  };
}
