import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../core/testing/test-core';
import { isLoopbackHost, parseHostCli, type HostCliOptions } from './cli-options';

const goodToken = 'f'.repeat(64);
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ HOME: '/home/op', ...extra });
function accepted(argv: string[], vars: NodeJS.ProcessEnv = env()): { options: HostCliOptions; warnings: string[] } {
  const parsed = parseHostCli(argv, vars);
  if (!parsed.ok) throw new Error(`refused: ${parsed.message}`);
  return parsed;
}
function refused(argv: string[], vars: NodeJS.ProcessEnv = env()): string {
  const parsed = parseHostCli(argv, vars);
  if (parsed.ok) throw new Error('expected a refusal');
  return parsed.message;
}

// A real certificate and key, made by openssl for this run, and a second key that does not match.
const tls = tempDir('flightdeck-tls-');
const certFile = join(tls.path, 'cert.pem');
const keyFile = join(tls.path, 'key.pem');
const otherKeyFile = join(tls.path, 'other-key.pem');
beforeAll(() => {
  const openssl = (...args: string[]) => {
    const run = spawnSync('openssl', args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${run.stderr}`);
  };
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
  );
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', otherKeyFile);
});
afterAll(() => tls.remove());

describe('host options', () => {
  it('serves loopback on 4680 with a generated token by default, and warns about nothing', () => {
    const { options, warnings } = accepted([], env({ XDG_CONFIG_HOME: '/cfg' }));
    expect(options).toEqual({
      dataDir: '/cfg/Flightdeck',
      port: 4680,
      host: '127.0.0.1',
      metrics: { on: false },
      extraOrigins: [],
      openIfRunning: false,
      sessionHours: 12,
    });
    expect(warnings).toEqual([]);
  });

  it('lets a team-mode folder listen beyond loopback without the shared token (accounts sign in)', () => {
    const teamFolder = () => true;
    const parsed = parseHostCli(['--host', '0.0.0.0'], env(), undefined, teamFolder);
    expect(parsed).toMatchObject({ ok: true, options: { host: '0.0.0.0' } });
    expect(parsed.ok && parsed.warnings).toEqual([
      '!!! WARNING: Flightdeck listens on 0.0.0.0, reachable from other machines (team mode: accounts sign in).',
      '!!! No TLS (--tls-cert/--tls-key): passwords, sessions and everything the console shows cross the network in clear.',
    ]);
    // The same folder without team mode still needs the token.
    expect(parseHostCli(['--host', '0.0.0.0'], env(), undefined, () => false)).toMatchObject({ ok: false });
  });

  it('reads the session lifetime in hours, 1 to 720', () => {
    expect(accepted([], env({ FLIGHTDECK_SESSION_HOURS: '8' })).options.sessionHours).toBe(8);
    expect(refused([], env({ FLIGHTDECK_SESSION_HOURS: '0' }))).toMatch(/^FLIGHTDECK_SESSION_HOURS must be/);
    expect(refused([], env({ FLIGHTDECK_SESSION_HOURS: 'forever' }))).toMatch(/1 to 720/);
  });

  it('refuses a set token shorter than 32 characters, on loopback too', () => {
    expect(refused([], env({ FLIGHTDECK_TOKEN: 'a' }))).toBe(
      'FLIGHTDECK_TOKEN is 1 characters long; use at least 32 random characters (for example: openssl rand -hex 32), or unset it to get a generated one.',
    );
    expect(refused([], env({ FLIGHTDECK_TOKEN: 'x'.repeat(31) }))).toMatch(/is 31 characters long/);
    expect(accepted([], env({ FLIGHTDECK_TOKEN: 'x'.repeat(32) })).options.token).toBe('x'.repeat(32));
    expect(refused([], env({ FLIGHTDECK_METRICS_TOKEN: 'scrape' }))).toMatch(
      /^FLIGHTDECK_METRICS_TOKEN is 6 characters long/,
    );
  });

  it('refuses token characters the URL fragment or the WebSocket protocol header would break', () => {
    expect(refused([], env({ FLIGHTDECK_TOKEN: `${'a'.repeat(40)}==` }))).toMatch(/may hold only letters, digits/);
    expect(refused([], env({ FLIGHTDECK_TOKEN: `${'a'.repeat(40)} b` }))).toMatch(/may hold only/);
  });

  it('treats an empty FLIGHTDECK_TOKEN as unset', () => {
    expect(accepted([], env({ FLIGHTDECK_TOKEN: '' })).options.token).toBeUndefined();
  });

  it('refuses a non-loopback bind without an operator-set token, saying how to set one', () => {
    const message = refused(['--host', '0.0.0.0']);
    expect(message).toMatch(/^Refusing to listen on 0\.0\.0\.0: other machines could reach this console\./);
    expect(message).toContain('FLIGHTDECK_TOKEN to at least 32 random characters');
    expect(refused([], env({ FLIGHTDECK_HOST: '192.168.1.20' }))).toMatch(/^Refusing to listen on 192\.168\.1\.20/);
  });

  it('warns loudly on a non-loopback bind, and says the token travels in clear without TLS', () => {
    const { options, warnings } = accepted(['--host', '0.0.0.0'], env({ FLIGHTDECK_TOKEN: goodToken }));
    expect(options).toMatchObject({ host: '0.0.0.0', token: goodToken });
    expect(warnings).toEqual([
      '!!! WARNING: Flightdeck listens on 0.0.0.0, reachable from other machines.',
      '!!! Whoever holds the token operates this console and every n8n instance it holds a key for.',
      '!!! No TLS (--tls-cert/--tls-key): the token and everything the console shows cross the network in clear.',
    ]);
  });

  it('reads the TLS certificate and key, and then warns without the "in clear" line', () => {
    const { options, warnings } = accepted(
      ['--host', '::', '--tls-cert', certFile, '--tls-key', keyFile],
      env({ FLIGHTDECK_TOKEN: goodToken }),
    );
    expect(options.tls).toEqual({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
    expect(warnings[2]).toBe('!!! Traffic is encrypted with your TLS certificate.');
    expect(warnings.join('\n')).not.toContain('in clear');
    const fromEnv = accepted([], env({ FLIGHTDECK_TLS_CERT: certFile, FLIGHTDECK_TLS_KEY: keyFile }));
    expect(fromEnv.options.tls?.cert).toEqual(readFileSync(certFile));
  });

  it('refuses TLS files that are missing, alone, or do not belong together', () => {
    expect(refused(['--tls-cert', certFile])).toBe('TLS needs both --tls-cert and --tls-key (PEM files).');
    expect(refused(['--tls-cert', join(tls.path, 'nope.pem'), '--tls-key', keyFile])).toMatch(
      new RegExp(`^Cannot read the TLS certificate ${join(tls.path, 'nope.pem')}: ENOENT`),
    );
    expect(refused(['--tls-cert', certFile, '--tls-key', otherKeyFile])).toMatch(
      /cannot be used together: .*key values mismatch/,
    );
    expect(refused(['--tls-cert', keyFile, '--tls-key', keyFile])).toMatch(/cannot be used together/);
  });

  it('refuses a bad port and an unknown flag', () => {
    expect(refused(['--port', 'http'])).toBe('Invalid port "http": use a number from 0 to 65535.');
    expect(refused(['--port', '70000'])).toMatch(/Invalid port "70000"/);
    expect(refused([], env({ FLIGHTDECK_PORT: ' ' }))).toMatch(/Invalid port/);
    expect(refused(['--hots', '0.0.0.0'])).toMatch(/Unknown option '--hots'.*README/);
  });

  it('passes the rest through', () => {
    const { options } = accepted(
      ['--data-dir', '/d', '--port', '0', '--metrics', '--open-if-running'],
      env({
        FLIGHTDECK_ALLOWED_ORIGINS: 'https://a.example,https://b.example',
        FLIGHTDECK_METRICS_TOKEN: 'm'.repeat(40),
      }),
    );
    expect(options).toMatchObject({
      dataDir: '/d',
      port: 0,
      metrics: { on: true, token: 'm'.repeat(40) },
      extraOrigins: ['https://a.example', 'https://b.example'],
      openIfRunning: true,
    });
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    '%s stays on this machine',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );
  it.each([
    '0.0.0.0',
    '::',
    '[::]',
    '192.168.1.20',
    '10.0.0.1',
    'example.com',
    'localhost.example',
    '::ffff:10.0.0.1',
    '1270.0.0.1',
    '',
  ])('%s is reachable from the network', (host) => expect(isLoopbackHost(host)).toBe(false));
});
