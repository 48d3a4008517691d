import { execFile, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { callHost, startConsole, type ConsoleProcess } from './console';

const run = promisify(execFile);

/** `node bin/flightdeck.mjs …`: exit code and output, never throwing. */
async function flightdeck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/flightdeck.mjs', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the flightdeck CLI door', () => {
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  const hits = () => n8n.state.doorCalls.length;
  const files = mkdtempSync(join(tmpdir(), 'flightdeck-cli-'));

  beforeAll(async () => {
    n8n = await startFakeN8n();
    n8n.addWorkflow('wf-cli', 'CLI', { path: 'cli' });
    app = await startConsole();
    const instance = await callHost<{ id: string }>(app, 'instances:add', {
      name: 'local',
      baseUrl: n8n.baseUrl,
      apiKey: 'cli-test-key-1234',
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await callHost(app, 'mappings:create', {
      mapping: { event: 'cli.test', instanceId: instance.id, webhookPath: 'cli' },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await n8n?.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('emits a signed event that is queued and delivered', async () => {
    const payload = join(files, 'payload.json');
    writeFileSync(payload, '{"orderId": 7}');
    const result = await flightdeck(
      'emit',
      'cli.test',
      '--data',
      payload,
      '--data-dir',
      app.dataDir,
      '--idempotency-key',
      'k1',
    );
    expect(result).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      executionIds: [expect.any(Number)],
      deduplicated: false,
    });
    // The person at the terminal reads the run as the console names it.
    const queued = (JSON.parse(result.stdout) as { executionIds: number[] }).executionIds[0];
    expect(result.stderr).toBe(`Queued as FD-${queued}.\n  flightdeck://executions/FD-${queued}\n`);
    const again = await flightdeck(
      'emit',
      'cli.test',
      '--data',
      payload,
      '--data-dir',
      app.dataDir,
      '--idempotency-key',
      'k1',
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ deduplicated: true });
    await expect.poll(() => hits()).toBe(1);
  });

  it('refuses bad input with a clear message and an exit code', async () => {
    const unknown = await flightdeck('emit', 'nobody.listens', '--data-dir', app.dataDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No active mapping listens for "nobody.listens"/);

    const broken = join(files, 'broken.json');
    writeFileSync(broken, '{nope');
    const badJson = await flightdeck('emit', 'cli.test', '--data', broken, '--data-dir', app.dataDir);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/not valid JSON/);

    const noConsole = await flightdeck('emit', 'cli.test', '--data-dir', files);
    expect(noConsole.code).toBe(3);
    expect(noConsole.stderr).toMatch(/No running Flightdeck console found/);

    const usage = await flightdeck('fly');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Usage: flightdeck emit/);

    const badTimeout = await flightdeck('emit', 'cli.test', '--data-dir', app.dataDir, '--timeout', 'soon');
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toMatch(/--timeout must be a number of seconds/);
  });

  it('writes ingest.json owner-only with the console’s pid', () => {
    const file = join(app.dataDir, 'ingest.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      pid: app.process.pid,
      startedAtMs: expect.any(Number),
    });
  });

  it('stays up after hostile requests to the ingest door, and still takes events', async () => {
    const { url } = JSON.parse(readFileSync(join(app.dataDir, 'ingest.json'), 'utf8')) as { url: string };
    const port = Number(new URL(url).port);
    const hostile = [
      'POST /% HTTP/1.1\r\nHost: x\r\ncontent-length: 0\r\n\r\n',
      'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /events/cli.test HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 1048576\r\n\r\n{"a":',
      'POST /events/cli.test HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      'NOT HTTP\r\n\r\n',
    ];
    for (const text of hostile) {
      const answer = await rawAnswer(port, text);
      expect(answer, text).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
    const deep = join(files, 'deep.json');
    writeFileSync(deep, '['.repeat(5000) + ']'.repeat(5000));
    const refused = await flightdeck('emit', 'cli.test', '--data', deep, '--data-dir', app.dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Refused \(400\): The payload nests deeper than 64 levels/);

    expect(app.process.exitCode).toBeNull();
    const after = await flightdeck('emit', 'cli.test', '--data-dir', app.dataDir);
    expect(after).toMatchObject({ code: 0 });
  });

  describe('when ingest.json cannot be trusted', () => {
    /** A data folder with a secret and an ingest.json pointing wherever the test says. */
    function folder(info: { url: string; pid: number }): string {
      const dir = mkdtempSync(join(files, 'data-'));
      mkdirSync(join(dir, 'keys'), { mode: 0o700 });
      writeFileSync(join(dir, 'keys', 'ingest.secret'), 'a'.repeat(64) + '\n', { mode: 0o600 });
      writeFileSync(join(dir, 'ingest.json'), JSON.stringify({ ...info, startedAtMs: Date.now() - 60_000 }), {
        mode: 0o600,
      });
      return dir;
    }
    const payload = () => {
      const file = join(files, 'secret-payload.json');
      writeFileSync(file, '{"card":"4111-1111-1111-1111"}');
      return file;
    };

    it('recognises a stale file (its console is gone) and sends nothing', async () => {
      const listener = await squatter(() => ({ status: 200, body: '{"ok":true}' }));
      const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
      const dir = folder({ url: listener.url, pid: dead });
      const result = await flightdeck('emit', 'cli.test', '--data', payload(), '--data-dir', dir);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`ingest\\.json is stale.*pid ${dead}`));
      expect(listener.seen).toEqual([]);
    });

    it('refuses a squatter on the port that accepts anything, and never sends it the payload', async () => {
      const fake = await squatter(() => ({
        status: 202,
        body: '{"ok":true,"proof":"sha256=00","executionIds":[1],"deduplicated":false}',
      }));
      const dir = folder({ url: fake.url, pid: process.pid });
      const result = await flightdeck(
        'emit',
        'cli.test',
        '--data',
        payload(),
        '--data-dir',
        dir,
        '--idempotency-key',
        'idem-key-never-sent',
      );
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/could not prove it holds this console's ingest secret, so the event was NOT sent/);
      expect(result.stdout).toBe('');
      expect(fake.seen.map((r) => r.path)).toEqual(['/challenge']);
      // Marks long enough that a random challenge nonce cannot contain one by chance ('k9' did).
      expect(JSON.stringify(fake.seen)).not.toMatch(/4111-1111|idem-key-never-sent|signature/);
    });

    it('gives up after --timeout when the process on the port never answers', async () => {
      const hung = await squatter(() => null);
      const dir = folder({ url: hung.url, pid: process.pid });
      const result = await flightdeck('emit', 'cli.test', '--data', payload(), '--data-dir', dir, '--timeout', '1');
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/No answer from .* within 1 s/);
      expect(hung.seen.map((r) => r.path)).toEqual(['/challenge']);
    });
  });

  it('finds no console after a clean stop (ingest.json removed) and calls a crashed one’s file stale', async () => {
    const dataDir = mkdtempSync(join(files, 'lifecycle-'));
    const clean = await startConsole({ dataDir });
    await expect.poll(() => existsSync(join(dataDir, 'ingest.json')), { timeout: 10_000 }).toBe(true);
    await clean.stop();
    expect(existsSync(join(dataDir, 'ingest.json'))).toBe(false);
    const afterStop = await flightdeck('emit', 'cli.test', '--data-dir', dataDir);
    expect(afterStop.code).toBe(3);
    expect(afterStop.stderr).toMatch(/No running Flightdeck console found/);

    const crashed = await startConsole({ dataDir });
    await expect.poll(() => existsSync(join(dataDir, 'ingest.json')), { timeout: 10_000 }).toBe(true);
    const exited = new Promise((r) => crashed.process.once('exit', r));
    crashed.process.kill('SIGKILL');
    await exited;
    const afterCrash = await flightdeck('emit', 'cli.test', '--data-dir', dataDir);
    expect(afterCrash.code).toBe(3);
    expect(afterCrash.stderr).toMatch(new RegExp(`is stale.*pid ${crashed.process.pid}`));
  });
});

/** Whatever else may listen on a port: records what it is sent; answers as told (null: never). */
async function squatter(respond: (req: IncomingMessage) => { status: number; body: string } | null) {
  const seen: { path: string; body: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body, headers: req.headers });
      const answer = respond(req);
      if (answer) res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  squatters.push(server);
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const squatters: Server[] = [];
afterAll(() => {
  for (const server of squatters.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** The first line of the answer to raw bytes sent on a fresh connection. */
function rawAnswer(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes('\r\n')) {
        resolve(received.split('\r\n')[0] ?? '');
        socket.destroy();
      }
    });
    socket.on('error', () => resolve(received));
    socket.on('close', () => resolve(received));
  });
}
