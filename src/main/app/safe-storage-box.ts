import { safeStorage } from 'electron';
import { SecretMismatchError, unwrapWithContext, wrapWithContext, type SecretBox } from '../core/instances/secret-box';
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
    // compared on open. It comes first: where safeStorage uses CBC without a MAC (macOS, Linux),
    // editing a block garbles the one before it, so a changed context cannot pass the comparison.
    encrypt: (plain, context) =>
      BOUND_PREFIX + safeStorage.encryptString(wrapWithContext(plain, context)).toString('base64'),
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
      return { plain: unwrapWithContext(text, context), bound: true };
    },
  };
}

/** Marks a value sealed bound to its context; values without it were sealed before binding. */
const BOUND_PREFIX = 'b2:';
