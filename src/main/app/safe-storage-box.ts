import { safeStorage } from 'electron';
import { z } from 'zod';
import { SecretMismatchError, type SecretBox } from '../core/instances/secret-box';
import type { Logger } from '../core/logger';

/**
 * The desktop's SecretBox: Electron safeStorage (Keychain on macOS, DPAPI on Windows, the
 * Secret Service / KWallet on Linux). Returns undefined where encryption is unavailable, so the
 * core falls back to its AES-256-GCM key file. Call after app 'ready'.
 */
export function createSafeStorageBox(logger: Logger): SecretBox | undefined {
  if (!safeStorage.isEncryptionAvailable()) {
    logger.warn('Electron safeStorage is unavailable: n8n API keys are sealed with the key file in the data directory');
    return undefined;
  }
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    // Loud on purpose: with basic_text, Chromium "encrypts" with a hard-coded password.
    const warning =
      'WARNING: no desktop keyring was found (safeStorage backend "basic_text"). n8n API keys are only obfuscated, ' +
      'not protected. Install and unlock gnome-keyring or KWallet, or run headless to use the owner-only key file.';
    logger.error(warning);
    console.error(warning);
  }
  return {
    kind: 'electron-safe-storage',
    // safeStorage takes no associated data: the context is sealed with the secret instead and
    // compared on open. It sits first, so no change to the ciphertext can alter it unseen.
    encrypt: (plain, context) =>
      BOUND_PREFIX + safeStorage.encryptString(JSON.stringify({ c: context, k: plain })).toString('base64'),
    decrypt(sealed, context) {
      let text: string;
      try {
        const body = sealed.startsWith(BOUND_PREFIX) ? sealed.slice(BOUND_PREFIX.length) : sealed;
        text = safeStorage.decryptString(Buffer.from(body, 'base64'));
      } catch {
        throw new SecretMismatchError();
      }
      // Values sealed before binding (no prefix) hold the bare key: the caller seals them again, bound.
      if (!sealed.startsWith(BOUND_PREFIX)) return { plain: text, bound: false };
      const parsed = boundSchema.safeParse(parseJson(text));
      if (!parsed.success || parsed.data.c !== context) throw new SecretMismatchError();
      return { plain: parsed.data.k, bound: true };
    },
  };
}

const BOUND_PREFIX = 'b2:';
const boundSchema = z.object({ c: z.string(), k: z.string() }).strict();

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
