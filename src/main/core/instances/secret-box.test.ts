import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { tempDir } from '../testing/test-core';
import { createFileKeyBox, KEY_FILE } from './secret-box';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d.path;
};

describe('file key SecretBox', () => {
  it('round-trips, uses a fresh IV each time, and keeps the plain text out of the sealed value', () => {
    const box = createFileKeyBox(dir(), silentLogger);
    const a = box.encrypt('n8n_api_abcdef123456');
    const b = box.encrypt('n8n_api_abcdef123456');
    expect(a).not.toBe(b);
    expect(a).not.toContain('abcdef');
    expect(box.decrypt(a)).toBe('n8n_api_abcdef123456');
  });

  it('creates the key file readable by its owner only, and reuses it', () => {
    const path = dir();
    const sealed = createFileKeyBox(path, silentLogger).encrypt('x'.repeat(20));
    const file = join(path, KEY_FILE);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file)).toHaveLength(32);
    expect(createFileKeyBox(path, silentLogger).decrypt(sealed)).toBe('x'.repeat(20));
  });

  it.skipIf(process.platform === 'win32')('refuses a key file others can read, loudly', () => {
    const path = dir();
    createFileKeyBox(path, silentLogger).encrypt('first');
    chmodSync(join(path, KEY_FILE), 0o644);
    const logged: string[] = [];
    const logger = { ...silentLogger, error: (m: string) => void logged.push(m) };
    expect(() => createFileKeyBox(path, logger).encrypt('x')).toThrow(/chmod 600/);
    expect(logged).toHaveLength(1);
  });

  it('rejects a tampered value or one sealed by another key', () => {
    const box = createFileKeyBox(dir(), silentLogger);
    const sealed = box.encrypt('secret-value');
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.decrypt(tampered)).toThrow();
    expect(() => createFileKeyBox(dir(), silentLogger).decrypt(sealed)).toThrow();
    expect(() => box.decrypt('garbage')).toThrow();
  });
});
