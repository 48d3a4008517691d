import { safeStorage } from 'electron';
import type { SecretBox } from '../core/instances/secret-box';
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
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
