import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// The built headless host (`out/main/host.js`, what `npm run serve` runs) as an operator meets
// it: two hosts on one data folder, a killed host restarted, the modes of the files it writes,
// and the rules for a bind other machines can reach.

const work = mkdtempSync(join(tmpdir(), 'flightdeck-e2e-folder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let folders = 0;
const newFolder = () => join(work, `data-${++folders}`);

interface Host {
  child: ChildProcess;
  /** `Open <url>` as printed, token included; null when the host ended first. */
  url: string | null;
  stdout: string;
  stderr: string;
  /** Exit code when it ended before printing a URL. */
  code: number | null;
}
const running: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => stop(child, 'SIGTERM')));
});

/** Starts the host; resolves once it prints its URL or ends, whichever comes first. */
function host(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Host> {
  const child = spawn(process.execPath, ['out/main/host.js', '--data-dir', dataDir, '--port', '0', ...args], {
    env: { ...process.env, FLIGHTDECK_INGEST_PORT: '0', FLIGHTDECK_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const result: Host = { child, url: null, stdout: '', stderr: '', code: null };
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      result.stdout += chunk.toString();
      const match = /^Open (https?:\/\/\S+)$/m.exec(result.stdout);
      if (match?.[1] && !result.url) {
        result.url = match[1];
        resolve(result);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
    child.once('exit', (code) => {
      result.code = code;
      resolve(result);
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function status(url: string, ca?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = (res: { statusCode?: number; resume(): void }) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    };
    const req = url.startsWith('https:') ? httpsGet(url, { ca }, done) : httpGet(url, done);
    req.on('error', reject);
  });
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const origin = (url: string) => url.replace(/#.*$/, '');

describe('one console per data folder', () => {
  it('refuses a second host on the folder, naming the first by pid and URL; the first keeps serving', async () => {
    const dataDir = newFolder();
    const first = await host(dataDir);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);

    const second = await host(dataDir);
    expect(second.url).toBeNull();
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `Flightdeck is already running on this data folder (pid ${first.child.pid}, ${origin(first.url!)}). ` +
        `Open that, or pass --data-dir.\n(data: ${dataDir})\n`,
    );
    expect(second.stderr).not.toContain('token');
    expect(await status(origin(first.url!))).toBe(200);
  });

  it("points `npm start`'s headless fallback (--open-if-running) at the running console", async () => {
    const dataDir = newFolder();
    const first = await host(dataDir);
    const fallback = await host(dataDir, ['--open-if-running']);
    expect(fallback.code).toBe(0);
    expect(fallback.stdout).toBe(
      `Flightdeck is already running on this data folder (pid ${first.child.pid}, ${origin(first.url!)}). ` +
        `Open ${first.url}\n(data: ${dataDir})\n`,
    );
  });

  it('starts at once on the folder of a host that was SIGKILLed (no stale lock)', async () => {
    const dataDir = newFolder();
    const first = await host(dataDir);
    await stop(first.child, 'SIGKILL');
    const again = await host(dataDir);
    expect(again.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(again.stderr).not.toMatch(/already running/);
    expect(await status(origin(again.url!))).toBe(200);

    // A clean stop lets go as well, and removes the owner record.
    await stop(again.child, 'SIGTERM');
    expect(again.child.exitCode).toBe(0);
    const third = await host(dataDir);
    expect(third.url).not.toBeNull();
  });
});

describe.runIf(process.platform !== 'win32')('a private data folder', () => {
  it('writes its folder 0700 and its store, -wal, -shm, lock, owner record and key files 0600', async () => {
    const dataDir = newFolder();
    const first = await host(dataDir);
    expect(first.url).not.toBeNull();
    expect(mode(dataDir)).toBe('700');
    for (const name of [
      'flightdeck.sqlite',
      'flightdeck.sqlite-wal',
      'flightdeck.sqlite-shm',
      'flightdeck.lock',
      'flightdeck.owner.json',
    ])
      expect([name, mode(join(dataDir, name))]).toEqual([name, '600']);
    expect(mode(join(dataDir, 'keys'))).toBe('700');
    expect(mode(join(dataDir, 'keys', 'ingest.secret'))).toBe('600');
  });

  it('makes a folder others could read private at start, and says so', async () => {
    const dataDir = newFolder();
    const first = await host(dataDir);
    await stop(first.child, 'SIGTERM');
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'flightdeck.sqlite'), 0o644);

    const again = await host(dataDir);
    expect(again.url).not.toBeNull();
    expect(mode(dataDir)).toBe('700');
    expect(mode(join(dataDir, 'flightdeck.sqlite'))).toBe('600');
    expect(mode(join(dataDir, 'flightdeck.sqlite-wal'))).toBe('600');
    expect(again.stderr).toMatch(/Other users could read 2 file\(s\) in the data folder; Flightdeck made them private/);
  });
});

describe('a bind other machines can reach', () => {
  it('is refused without an operator-set token, before anything listens or any file is written', async () => {
    const dataDir = newFolder();
    const refused = await host(dataDir, ['--host', '0.0.0.0']);
    expect(refused.code).toBe(2);
    expect(refused.url).toBeNull();
    expect(refused.stderr).toMatch(/^Refusing to listen on 0\.0\.0\.0: other machines could reach this console\./);
    expect(() => statSync(dataDir)).toThrow(/ENOENT/);
  });

  it('refuses a token shorter than 32 characters, on loopback too', async () => {
    const refused = await host(newFolder(), [], { FLIGHTDECK_TOKEN: 'a' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^FLIGHTDECK_TOKEN is 1 characters long; use at least 32/);
  });

  it('prints the loud warning first (here on an address this machine does not have, so nothing listens)', async () => {
    // 192.0.2.1 is TEST-NET-1: the warning is printed, then the bind fails; the tests never
    // listen beyond loopback.
    const warned = await host(newFolder(), ['--host', '192.0.2.1'], { FLIGHTDECK_TOKEN: 'k'.repeat(64) });
    expect(warned.code).toBe(1);
    expect(warned.stderr).toContain(
      '!!! WARNING: Flightdeck listens on 192.0.2.1, reachable from other machines.\n' +
        '!!! Whoever holds the token operates this console and every n8n instance it holds a key for.\n' +
        '!!! No TLS (--tls-cert/--tls-key): the token and everything the console shows cross the network in clear.\n',
    );
    expect(warned.url).toBeNull();
    expect(warned.stderr).toMatch(/EADDRNOTAVAIL/);
  });
});

describe('TLS', () => {
  const tls = join(work, 'tls');
  const cert = join(tls, 'cert.pem');
  const key = join(tls, 'key.pem');

  it('serves https with the given certificate and prints an https URL', async () => {
    rmSync(tls, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', tls]);
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);

    const dataDir = newFolder();
    const secure = await host(dataDir, ['--tls-cert', cert, '--tls-key', key]);
    expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(await status(origin(secure.url!), readFileSync(cert))).toBe(200);

    // The owner record points a second process at the https address.
    const second = await host(dataDir);
    expect(second.stderr).toContain(`(pid ${secure.child.pid}, ${origin(secure.url!)})`);
    expect(await exited(second.child)).toBe(1);
  });
});
