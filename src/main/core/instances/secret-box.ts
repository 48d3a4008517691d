import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/result';
import type { Logger } from '../logger';

/**
 * Seals secrets (n8n API keys) at rest. The core only knows this interface: the desktop app
 * passes an Electron safeStorage implementation (src/main/app/safe-storage-box.ts); headless
 * and in tests the default is AES-256-GCM with a key file only its owner can read.
 */
export interface SecretBox {
  /** Stored with each sealed value, so a store opened with another box can say why it cannot read it. */
  readonly kind: string;
  encrypt(plain: string): string;
  /** Throws when the value was sealed by another key or box, or was altered. */
  decrypt(sealed: string): string;
}

export const KEY_FILE = join('keys', 'master.key');
const VERSION = 'v1';

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

  return {
    kind: 'aes-256-gcm-file',
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', loadKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(sealed) {
      const [version, payload] = sealed.split(':');
      if (version !== VERSION || !payload) throw new Error('not a sealed value of this box');
      const bytes = Buffer.from(payload, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', loadKey(), bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
