import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../shared/wire';
import { silentLogger } from '../core/logger';
import { tempDir, testCore } from '../core/testing/test-core';
import { startHost, type RunningHost } from './host';

const TOKEN = 'test-token-0123456789';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function running(): Promise<RunningHost> {
  const t = testCore();
  const renderer = tempDir();
  mkdirSync(renderer.path, { recursive: true });
  writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><div id="root"></div>');
  const host = await startHost({
    core: t.core,
    rendererDir: renderer.path,
    port: 0,
    token: TOKEN,
    logger: silentLogger,
  });
  cleanups.push(t.cleanup, renderer.remove, () => host.close());
  return host;
}

function connect(host: RunningHost, options: { token?: string; origin?: string } = {}) {
  const protocols = [WS_PROTOCOL, ...(options.token ? [WS_TOKEN_PREFIX + options.token] : [])];
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WS_PATH}`, protocols, {
    ...(options.origin ? { origin: options.origin } : {}),
  });
  // Refused handshakes surface as 'error' too; the tests read the status from the response.
  ws.on('error', () => undefined);
  cleanups.push(() => ws.terminate());
  return ws;
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opens. */
const handshake = (ws: WebSocket) =>
  new Promise<number>((resolve) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });

function client(ws: WebSocket) {
  const frames: unknown[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (predicate: (f: any) => boolean) => {
    for (;;) {
      const found = frames.find(predicate);
      if (found) return found as any;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { next, send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)) };
}

describe('headless host', () => {
  it('serves the renderer over HTTP with a strict CSP', async () => {
    const host = await running();
    const res = await fetch(host.url + 'some/client/route');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('id="root"');
  });

  it('refuses a WebSocket without the token, or with a wrong one', async () => {
    const host = await running();
    expect(await handshake(connect(host))).toBe(401);
    expect(await handshake(connect(host, { token: 'wrong' }))).toBe(401);
  });

  it('refuses a WebSocket from a foreign Origin even with the token', async () => {
    const host = await running();
    expect(await handshake(connect(host, { token: TOKEN, origin: 'http://evil.example' }))).toBe(403);
    expect(await handshake(connect(host, { token: TOKEN, origin: `http://127.0.0.1:${host.port}` }))).toBe(101);
  });

  it('accepts the token as a Bearer header for non-browser clients', async () => {
    const host = await running();
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WS_PATH}`, [WS_PROTOCOL], {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    cleanups.push(() => ws.terminate());
    expect(await handshake(ws)).toBe(101);
  });

  it('round-trips calls, rejects malformed input as data and stays up', async () => {
    const host = await running();
    const ws = connect(host, { token: TOKEN });
    await handshake(ws);
    const c = client(ws);

    c.send('{not json');
    expect((await c.next((f) => f.id === null)).result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    c.send({ type: 'call', id: 1, channel: 'settings:update', input: { patch: { retentionDays: 'many' } } });
    expect((await c.next((f) => f.id === 1)).result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    c.send({ type: 'call', id: 2, channel: 'settings:get', input: {} });
    expect((await c.next((f) => f.id === 2)).result).toMatchObject({ ok: true, data: { theme: 'system' } });
  });

  it('pushes events to every connected window', async () => {
    const host = await running();
    const [a, b] = [connect(host, { token: TOKEN }), connect(host, { token: TOKEN })];
    await Promise.all([handshake(a), handshake(b)]);
    const [ca, cb] = [client(a), client(b)];
    ca.send({ type: 'call', id: 1, channel: 'settings:update', input: { patch: { theme: 'dark' } } });
    const isChange = (f: any) => f.type === 'event' && f.event === 'settings:changed';
    expect((await cb.next(isChange)).payload).toMatchObject({ theme: 'dark' });
    expect((await ca.next(isChange)).payload).toMatchObject({ theme: 'dark' });
  });
});
