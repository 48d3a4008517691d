import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startConsole, type ConsoleProcess } from './console';

// The built host (`out/main/host.js`) as a child process, as `npm run serve` runs it, under the
// hostile input of issue #11. After every attack the same process answers a normal call: one
// request or frame never ends it.

let app: ConsoleProcess;
let base: URL;
let token: string;
const open: WebSocket[] = [];

beforeAll(async () => {
  app = await startConsole();
  base = new URL(app.url);
  token = new URLSearchParams(base.hash.slice(1)).get('token') ?? '';
});
afterAll(async () => {
  for (const ws of open) ws.terminate();
  await app?.stop();
});

function rawHttp(text: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = tcpConnect(Number(base.port), base.hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    // A reset (the host refused before reading everything) still ends in 'close'.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
  });
}
const get = (path: string, headers = '') =>
  rawHttp(`GET ${path} HTTP/1.1\r\nHost: ${base.host}\r\n${headers}Connection: close\r\n\r\n`);

function socket(): WebSocket {
  const ws = new WebSocket(`ws://${base.host}/api`, ['flightdeck.v1', `token.${token}`]);
  ws.on('error', () => undefined);
  open.push(ws);
  return ws;
}
const opened = (ws: WebSocket) => new Promise<void>((resolve) => ws.once('open', () => resolve()));
const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

function caller(ws: WebSocket) {
  const replies = new Map<number, (result: any) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; id: number; result: unknown };
    if (frame.type === 'result') replies.get(frame.id)?.(frame.result);
  });
  let id = 0;
  return (channel: string, input: unknown): Promise<any> => {
    const my = ++id;
    const reply = new Promise<any>((resolve) => replies.set(my, resolve));
    ws.send(JSON.stringify({ type: 'call', id: my, channel, input }));
    return reply;
  };
}

/** The process is running, serves its page and answers a call on a new connection. */
async function expectAlive() {
  expect(app.process.exitCode).toBeNull();
  expect((await fetch(new URL('/', base))).status).toBe(200);
  const ws = socket();
  await opened(ws);
  expect(await caller(ws)('app:status', {})).toMatchObject({ ok: true, data: { state: 'ready' } });
  ws.close();
}

describe('the built host under hostile input', () => {
  it('answers malformed URLs and absurd headers with 4xx', async () => {
    expect(await get('/%')).toBe(400);
    expect(await get('//[')).toBeGreaterThanOrEqual(400);
    expect(await get('/%E0%A4%A')).toBe(400);
    expect(await get('/', `X-Huge: ${'a'.repeat(20_000)}\r\n`)).toBe(431);
    expect(await get('/', 'Content-Length: 1\r\nTransfer-Encoding: chunked\r\n')).toBe(400);
    expect(await rawHttp('\u0000garbage\r\n\r\n')).toBe(400);
    await expectAlive();
  });

  it('closes a socket with invalid UTF-8 (1007) or an oversize frame (1009)', async () => {
    const a = socket();
    await opened(a);
    const aClosed = closeCode(a);
    a.send(Buffer.from([0x22, 0xc3, 0x28, 0x22]), { binary: false });
    expect(await aClosed).toBe(1007);

    const b = socket();
    await opened(b);
    const bClosed = closeCode(b);
    b.send('x'.repeat(3 * 1024 * 1024));
    expect(await bClosed).toBe(1009);
    await expectAlive();
  });

  it('answers JSON 5,000 levels deep and an oversize ingest:emit with VALIDATION', async () => {
    const ws = socket();
    await opened(ws);
    const call = caller(ws);
    // Written by hand: JSON.stringify itself cannot serialise this depth.
    const deep = '['.repeat(5_000) + ']'.repeat(5_000);
    const tooDeep = new Promise<any>((resolve) =>
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { id: number; result: unknown };
        if (frame.id === 999) resolve(frame.result);
      }),
    );
    ws.send(`{"type":"call","id":999,"channel":"ingest:emit","input":{"event":"doors.deep","payload":${deep}}}`);
    expect(await tooDeep).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect((await tooDeep).error.message).toContain('nesting limit');

    const tooBig = await call('ingest:emit', { event: 'doors.big', payload: 'x'.repeat(1_500_000) });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(tooBig.error.message).toContain('payload limit');
    expect((await call('executions:list', {})).data.executions).toEqual([]);
    await expectAlive();
  });

  it('takes backup uploads in the renderer’s 512 KiB pieces; the old 2 MiB ones are refused', async () => {
    const ws = socket();
    await opened(ws);
    const call = caller(ws);
    const piece = Buffer.alloc(512 * 1024, 7).toString('base64');
    const uploadId = 'doors-upload-0001';
    expect(await call('backups:upload', { uploadId, offset: 0, dataBase64: piece })).toMatchObject({ ok: true });
    expect(await call('backups:upload', { uploadId, offset: 512 * 1024, dataBase64: piece })).toMatchObject({
      ok: true,
    });
    // 1.5 MiB: over the argument limit, answered; 2 MiB (2.7 MiB as base64): over the frame limit.
    const over = Buffer.alloc(1536 * 1024, 7)
      .toString('base64')
      .slice(0, 1_500_000);
    expect(await call('backups:upload', { uploadId, offset: 1024 * 1024, dataBase64: over })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    const closed = closeCode(ws);
    ws.send(
      JSON.stringify({
        type: 'call',
        id: 77,
        channel: 'backups:upload',
        input: { uploadId, offset: 1024 * 1024, dataBase64: Buffer.alloc(2 * 1024 * 1024, 7).toString('base64') },
      }),
    );
    expect(await closed).toBe(1009);
  });

  it('refuses calls over the rate with a retryable RATE_LIMITED, and connections over the cap with 1013', async () => {
    const ws = socket();
    await opened(ws);
    const call = caller(ws);
    const results = await Promise.all(Array.from({ length: 1_000 }, () => call('settings:get', {})));
    const limited = results.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({ error: { code: 'RATE_LIMITED', retryable: true } });
    ws.close();

    // Default cap: 64 open connections. Open them one by one until the host says 1013.
    // A connection over the cap opens, then is closed at once: usable means it answers a call.
    const outcome = (s: WebSocket) =>
      Promise.race([opened(s).then(() => caller(s)('app:status', {}).then(() => 0)), closeCode(s)]);
    const many: WebSocket[] = [];
    let refusedAt = -1;
    for (let i = 0; i < 80 && refusedAt < 0; i++) {
      const s = socket();
      many.push(s);
      const code = await outcome(s);
      if (code === 1013) refusedAt = i;
      else if (code !== 0) throw new Error(`connection ${i} closed with ${code}`);
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(refusedAt).toBeLessThanOrEqual(64);
    for (const s of many) s.terminate();
    await expect
      .poll(async () => app.process.exitCode === null && (await fetch(new URL('/', base))).status, {
        timeout: 10_000,
      })
      .toBe(200);
    await expect
      .poll(
        async () => {
          const s = socket();
          const code = await outcome(s);
          s.close();
          return code === 0 ? 'open' : code;
        },
        { timeout: 10_000 },
      )
      .toBe('open');
    await expectAlive();
  });
});
