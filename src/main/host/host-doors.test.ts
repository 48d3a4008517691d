import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../shared/wire';
import type { CoreOptions } from '../core/create-core';
import type { ConnectionLimits } from '../core/limits';
import { silentLogger } from '../core/logger';
import { tempDir, testCore } from '../core/testing/test-core';
import { startHost, type HostOptions, type RunningHost } from './host';

// Hostile input at every door of the headless host. After each refusal the same host must still
// serve a page and answer a normal call: one request or frame never ends the process.

const TOKEN = 'doors-token-0123456789abcdef';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function running(
  options: { core?: Partial<CoreOptions>; limits?: Partial<ConnectionLimits> } & Partial<HostOptions> = {},
) {
  const t = testCore(options.core);
  const renderer = tempDir();
  writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(renderer.path, 'app.js'), 'console.log("app")');
  const { core: _core, ...hostOptions } = options;
  const host = await startHost({
    core: t.core,
    rendererDir: renderer.path,
    port: 0,
    token: TOKEN,
    logger: silentLogger,
    ...hostOptions,
  });
  cleanups.push(t.cleanup, renderer.remove, () => host.close());
  return { host, t };
}

/** Sends bytes as they are (no client-side URL or header clean-up) and reads the status line. */
function rawHttp(host: RunningHost, text: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const socket = tcpConnect(host.port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    // A reset (the host refused before reading everything) still ends in 'close'.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), text: answer }));
  });
}
const get = (host: RunningHost, path: string, headers = '') =>
  rawHttp(host, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`);

function connect(host: RunningHost, token = TOKEN) {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WS_PATH}`, [WS_PROTOCOL, WS_TOKEN_PREFIX + token]);
  ws.on('error', () => undefined);
  cleanups.push(() => ws.terminate());
  return ws;
}
const opened = (ws: WebSocket) =>
  new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
  });
const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );

/** Replies by id, and every frame in arrival order. */
function client(ws: WebSocket) {
  const frames: any[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (predicate: (f: any) => boolean) => {
    for (;;) {
      const found = frames.find(predicate);
      if (found) return found;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  let id = 1000;
  return {
    frames,
    next,
    /** One call; resolves with its Result. */
    async call(channel: string, input: unknown): Promise<any> {
      const my = ++id;
      ws.send(JSON.stringify({ type: 'call', id: my, channel, input }));
      return (await next((f) => f.type === 'result' && f.id === my)).result;
    },
  };
}

/** The host still serves its page and answers a call on a fresh connection. */
async function expectAlive(host: RunningHost) {
  const page = await fetch(host.url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('id="root"');
  const ws = connect(host);
  await opened(ws);
  expect(await client(ws).call('settings:get', {})).toMatchObject({ ok: true, data: { theme: 'system' } });
  ws.close();
}

/** `depth` nested arrays around a 1, as JSON text. */
const deepJson = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe('HTTP door', () => {
  it('answers malformed URLs with 4xx and stays up', async () => {
    const { host } = await running();
    for (const path of ['/%', '//[', '/%E0%A4%A', '/%C0%AE%C0%AE/', '/%00', '/a%', '/\u00ff']) {
      const { status } = await get(host, path);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(status, path).toBeLessThan(500);
    }
    await expectAlive(host);
  });

  it('never serves a file outside the renderer folder', async () => {
    const { host } = await running();
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      const { text } = await get(host, path);
      expect(text, path).not.toContain('root:');
    }
    expect((await get(host, '/app.js')).text).toContain('console.log("app")');
    await expectAlive(host);
  });

  it('answers absurd headers and requests with 4xx and stays up', async () => {
    const { host } = await running();
    expect((await get(host, '/', `X-Huge: ${'a'.repeat(20_000)}\r\n`)).status).toBe(431);
    expect((await get(host, '/', 'X\u0001Bad: y\r\n')).status).toBe(400);
    expect((await get(host, '/', 'Content-Length: lots\r\n')).status).toBe(400);
    expect((await get(host, '/', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n')).status).toBe(400);
    expect((await get(host, '/', 'Authorization: Bearer \u0000\u0001\r\n')).status).toBe(400);
    expect((await rawHttp(host, '\u0000\u0001\u0002 nonsense\r\n\r\n')).status).toBe(400);
    expect(
      (await rawHttp(host, Buffer.from([0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]))).status,
    ).toBe(400);
    const body = 'x'.repeat(1_000_000);
    const post = await rawHttp(
      host,
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Refused before the body is read: a 4xx, or a reset if the refusal overtook the upload.
    expect(post.status === 0 || (post.status >= 400 && post.status < 500)).toBe(true);
    await expectAlive(host);
  });

  it('sends the security headers on pages and on error answers', async () => {
    const { host } = await running();
    for (const path of ['/', '/some/client/route', '/%']) {
      const { text } = await get(host, path);
      expect(text, path).toMatch(/content-security-policy: default-src 'self'; script-src 'self'/i);
      expect(text, path).toMatch(/x-content-type-options: nosniff/i);
    }
    const { text } = await get(host, '/');
    expect(text).toMatch(/cache-control: no-store/i);
  });

  it('answers other methods with 405', async () => {
    const { host } = await running();
    const res = await fetch(host.url + 'anything', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await expectAlive(host);
  });

  it('limits requests per minute from one address, WebSocket handshakes included', async () => {
    const { host } = await running({ limits: { httpRequestsPerMinute: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(host.url)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect((await get(host, '/')).text).not.toMatch(/x-ratelimit/i);
    const limited = await fetch(host.url + 'client/route');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const ws = connect(host);
    const refused = new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_q, res) => resolve(res.statusCode!)),
    );
    expect(await refused).toBe(429);
  });
});

describe('WebSocket door', () => {
  it('closes a socket that sends invalid UTF-8 (1007); the host stays up', async () => {
    const { host } = await running();
    const ws = connect(host);
    await opened(ws);
    const bye = closed(ws);
    ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    expect((await bye).code).toBe(1007);
    await expectAlive(host);
  });

  it('closes a socket that sends a frame over the frame limit (1009); the host stays up', async () => {
    const { host, t } = await running();
    const ws = connect(host);
    await opened(ws);
    const bye = closed(ws);
    ws.send('x'.repeat(3 * t.core.limits.maxPayloadBytes));
    expect((await bye).code).toBe(1009);
    await expectAlive(host);
  });

  it('answers JSON 5,000 levels deep with VALIDATION naming the nesting limit', async () => {
    const { host } = await running();
    const ws = connect(host);
    await opened(ws);
    const c = client(ws);
    ws.send(`{"type":"call","id":7,"channel":"settings:update","input":{"patch":${deepJson(5_000)}}}`);
    const reply = await c.next((f) => f.id === 7);
    expect(reply.result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(reply.result.error.message).toContain('nesting limit');
    ws.send(deepJson(100_000));
    expect((await c.next((f) => f.id === null)).result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // The same connection goes on working.
    expect(await c.call('settings:get', {})).toMatchObject({ ok: true });
    await expectAlive(host);
  });

  it('refuses an oversize ingest:emit with VALIDATION and stores nothing', async () => {
    const { host, t } = await running();
    const ws = connect(host);
    await opened(ws);
    const c = client(ws);
    const instance = await c.call('instances:add', {
      name: 'nowhere',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'doors-test-key-1234',
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    });
    expect(instance.ok).toBe(true);
    const mapping = await c.call('mappings:create', {
      mapping: { event: 'doors.big', instanceId: instance.data.id, webhookPath: 'big' },
    });
    expect(mapping.ok).toBe(true);

    const big = await c.call('ingest:emit', {
      event: 'doors.big',
      payload: { blob: 'x'.repeat(t.core.limits.maxPayloadBytes + 100_000) },
    });
    expect(big).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(big.error.message).toContain('payload limit');
    expect(big.error.message).toContain(String(t.core.limits.maxPayloadBytes));
    const none = await c.call('executions:list', {});
    expect(none.data.executions).toHaveLength(0);

    // The same mapping takes a normal event: the refusal above was the limit, not the setup.
    expect(await c.call('ingest:emit', { event: 'doors.big', payload: { small: true } })).toMatchObject({ ok: true });
    expect((await c.call('executions:list', {})).data.executions).toHaveLength(1);
    await expectAlive(host);
  });

  it('answers frames that are not calls with VALIDATION, keeping the id when there is one', async () => {
    const { host } = await running();
    const ws = connect(host);
    await opened(ws);
    const c = client(ws);
    ws.send(JSON.stringify({ type: 'call', id: 5, channel: 42 }));
    expect((await c.next((f) => f.id === 5)).result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    ws.send(Buffer.from('{"type":"call"}'), { binary: true });
    expect((await c.next((f) => f.id === null)).result.error.message).toContain('text frames');
    ws.send(JSON.stringify({ type: 'call', id: 6, channel: 'nope:nothing', input: {} }));
    expect((await c.next((f) => f.id === 6)).result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    await expectAlive(host);
  });

  it('caps open connections: one more is closed with 1013, a slot freed is usable again', async () => {
    const { host } = await running({ limits: { maxConnections: 2 } });
    const [a, b] = [connect(host), connect(host)];
    await Promise.all([opened(a), opened(b)]);
    const third = connect(host);
    const bye = closed(third);
    expect(await bye).toMatchObject({ code: 1013 });

    const aClosed = closed(a);
    a.close();
    await aClosed;
    // The server forgets a socket once its close handshake is done: poll until the slot is free.
    await expect
      .poll(
        async () => {
          const ws = connect(host);
          const result = await Promise.race([
            opened(ws).then(() => client(ws).call('settings:get', {})),
            closed(ws).then(({ code }) => ({ ok: false, code })),
          ]);
          ws.close();
          return result.ok;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
  });

  it('limits calls per connection with a retryable RATE_LIMITED; other connections are not affected', async () => {
    const { host } = await running({ limits: { callBurst: 3, callsPerSecond: 0.001 } });
    const ws = connect(host);
    await opened(ws);
    const c = client(ws);
    const results = await Promise.all(Array.from({ length: 6 }, () => c.call('settings:get', {})));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      expect(r.error.details.retryAfterMs).toBeGreaterThan(0);
    }
    await expectAlive(host);
  });

  it('drops a connection that stops answering pings, freeing its slot', async () => {
    const { host } = await running({ limits: { maxConnections: 1, heartbeatMs: 50 } });
    const silent = new WebSocket(`ws://127.0.0.1:${host.port}${WS_PATH}`, [WS_PROTOCOL, WS_TOKEN_PREFIX + TOKEN], {
      autoPong: false,
    });
    silent.on('error', () => undefined);
    cleanups.push(() => silent.terminate());
    await opened(silent);
    const gone = closed(silent);
    expect((await gone).code).toBe(1006);
    await expectAlive(host);
  });

  it('upgrades only at the API path', async () => {
    const { host } = await running();
    for (const path of ['/', '/some/route', '/index.html']) {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, [WS_PROTOCOL, WS_TOKEN_PREFIX + TOKEN]);
      ws.on('error', () => undefined);
      cleanups.push(() => ws.terminate());
      await expect(opened(ws), path).rejects.toThrow('404');
    }
    await expectAlive(host);
  });

  it('refuses a wrong token before the upgrade', async () => {
    const { host } = await running();
    const ws = connect(host, 'wrong-token');
    await expect(opened(ws)).rejects.toThrow('401');
    await expectAlive(host);
  });
});

describe('the guard of last resort', () => {
  it('logs and answers 500 / INTERNAL when something unforeseen throws, and stays up', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const logged: string[] = [];
    const logger = { ...silentLogger, error: (message: string) => void logged.push(message) };
    // A core whose calls throw (they never should): what the host does when the impossible happens.
    const broken = {
      ...t.core,
      call: () => Promise.reject(new Error('boom')),
      invoke: (channel: unknown, input: unknown, ctx?: Parameters<typeof t.core.invoke>[2]) =>
        channel === 'settings:get' ? t.core.invoke(channel, input, ctx) : Promise.reject(new Error('boom')),
    } satisfies typeof t.core;
    const renderer = tempDir();
    cleanups.push(renderer.remove);
    writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><div id="root"></div>');
    const guarded = await startHost({
      core: broken,
      rendererDir: renderer.path,
      port: 0,
      token: TOKEN,
      logger,
      metrics: {},
    });
    cleanups.push(() => guarded.close());

    const metrics = await fetch(guarded.url + 'metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(metrics.status).toBe(500);
    expect(await metrics.text()).not.toContain('boom');
    expect(logged).toContain('Unexpected error while answering a request');

    const ws = connect(guarded);
    await opened(ws);
    const c = client(ws);
    expect(await c.call('app:status', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(logged).toContain('Unexpected error while answering a WebSocket call');
    expect(await c.call('settings:get', {})).toMatchObject({ ok: true });
    await expectAlive(guarded);
  });
});

describe('TLS', () => {
  /** A throwaway self-signed certificate for 127.0.0.1 (openssl, as an operator would make one). */
  function selfSigned() {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const [key, cert] = [join(dir.path, 'key.pem'), join(dir.path, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  }

  it('serves https and wss with the given certificate; the URL says https', async () => {
    const tls = selfSigned();
    const { host } = await running({ tls });
    expect(host.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await new Promise<{ status: number; csp: string; body: string }>((resolve, reject) => {
      const req = httpsRequest(host.url + 'client/route', { ca: tls.cert }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode!, csp: String(res.headers['content-security-policy']), body }),
        );
      });
      req.on('error', reject);
      req.end();
    });
    expect(page).toMatchObject({ status: 200 });
    expect(page.csp).toContain("script-src 'self'");
    expect(page.body).toContain('id="root"');

    const ws = new WebSocket(`wss://127.0.0.1:${host.port}${WS_PATH}`, [WS_PROTOCOL, WS_TOKEN_PREFIX + TOKEN], {
      ca: tls.cert,
      origin: `https://127.0.0.1:${host.port}`,
    });
    ws.on('error', () => undefined);
    cleanups.push(() => ws.terminate());
    await opened(ws);
    expect(await client(ws).call('settings:get', {})).toMatchObject({ ok: true });

    // Plain HTTP on the TLS port is refused without harm.
    const plain = await get(host, '/');
    expect(plain.status === 400 || plain.status === 0).toBe(true);
  });
});
