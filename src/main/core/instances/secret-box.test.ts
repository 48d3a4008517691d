import { createCipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { tempDir } from '../testing/test-core';
import { createFileKeyBox, KEY_FILE, SecretMismatchError, unwrapWithContext, wrapWithContext } from './secret-box';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d.path;
};
const HERE = '["flightdeck:instance-api-key","id-1","https://n8n.example.com"]';
const THERE = '["flightdeck:instance-api-key","id-1","https://attacker.example"]';

describe('file key SecretBox', () => {
  it('round-trips, uses a fresh IV each time, and keeps the plain text out of the sealed value', () => {
    const box = createFileKeyBox(dir(), silentLogger);
    const a = box.encrypt('n8n_api_abcdef123456', HERE);
    const b = box.encrypt('n8n_api_abcdef123456', HERE);
    expect(a).not.toBe(b);
    expect(a).not.toContain('abcdef');
    expect(a.startsWith('v2:')).toBe(true);
    expect(box.decrypt(a, HERE)).toEqual({ plain: 'n8n_api_abcdef123456', bound: true });
  });

  it('opens a value only with the context it was sealed with', () => {
    const box = createFileKeyBox(dir(), silentLogger);
    const sealed = box.encrypt('n8n_api_abcdef123456', HERE);
    expect(() => box.decrypt(sealed, THERE)).toThrow(SecretMismatchError);
    expect(() => box.decrypt(sealed, '')).toThrow(SecretMismatchError);
  });

  it('still reads a value sealed before binding (v1), and says it is unbound', () => {
    const path = dir();
    const box = createFileKeyBox(path, silentLogger);
    box.encrypt('x'.repeat(20), HERE); // creates the key file
    const key = readFileSync(join(path, KEY_FILE));
    // The v1 format exactly as the previous release wrote it: no associated data.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update('n8n_api_legacy_0001', 'utf8'), cipher.final()]);
    const legacy = `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    expect(box.decrypt(legacy, THERE)).toEqual({ plain: 'n8n_api_legacy_0001', bound: false });
  });

  it('creates the key file readable by its owner only, and reuses it', () => {
    const path = dir();
    const sealed = createFileKeyBox(path, silentLogger).encrypt('x'.repeat(20), HERE);
    const file = join(path, KEY_FILE);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file)).toHaveLength(32);
    expect(createFileKeyBox(path, silentLogger).decrypt(sealed, HERE).plain).toBe('x'.repeat(20));
  });

  it.skipIf(process.platform === 'win32')('refuses a key file others can read, loudly', () => {
    const path = dir();
    createFileKeyBox(path, silentLogger).encrypt('first', HERE);
    chmodSync(join(path, KEY_FILE), 0o644);
    const logged: string[] = [];
    const logger = { ...silentLogger, error: (m: string) => void logged.push(m) };
    expect(() => createFileKeyBox(path, logger).encrypt('x', HERE)).toThrow(/chmod 600/);
    expect(logged).toHaveLength(1);
  });

  it('rejects a tampered value or one sealed by another key', () => {
    const box = createFileKeyBox(dir(), silentLogger);
    const sealed = box.encrypt('secret-value', HERE);
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.decrypt(tampered, HERE)).toThrow(SecretMismatchError);
    expect(() => createFileKeyBox(dir(), silentLogger).decrypt(sealed, HERE)).toThrow(SecretMismatchError);
    expect(() => box.decrypt('garbage', HERE)).toThrow(SecretMismatchError);
    expect(() => box.decrypt('v2:', HERE)).toThrow(SecretMismatchError);
    expect(() => box.decrypt('v2:AAAA', HERE)).toThrow(SecretMismatchError);
  });
});

describe('binding for a box without associated data (safeStorage)', () => {
  it('opens only for the context it was wrapped with, and refuses anything else', () => {
    const wrapped = wrapWithContext('n8n_api_abcdef123456', HERE);
    expect(unwrapWithContext(wrapped, HERE)).toBe('n8n_api_abcdef123456');
    expect(() => unwrapWithContext(wrapped, THERE)).toThrow(SecretMismatchError);
    // A bare key (sealed before binding) or garbage is not a wrapped value.
    for (const text of ['n8n_api_abcdef123456', '{"k":"x"}', 'null', '{"c":' + JSON.stringify(HERE) + ',"k":1}'])
      expect(() => unwrapWithContext(text, HERE)).toThrow(SecretMismatchError);
  });
});
