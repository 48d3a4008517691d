import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { ManualClock } from '../testing/manual-clock';
import { migrations } from '../db/migrations';
import { openStore, type Store } from '../db/store';
import { EventBus } from '../events';
import { silentLogger, type Logger } from '../logger';
import type { EmitRequest } from '../ports';
import { tempDir } from '../testing/test-core';
import { startIngestServer, type IngestServerOptions } from './http-ingest';
import { sqliteReplayLedger } from './replay-ledger';
import { ACK_HEADER, challengeProof, MAX_SKEW_MS, sign, signAck } from './signature';

const SECRET = 'ingest-test-secret';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A store in `dir` (reopened by a "restart"). */
function store(dir: string, clock: ManualClock): Store {
  const s = openStore({ dataDir: dir, bus: new EventBus(), migrations, now: () => clock.now() });
  cleanups.push(() => s.close());
  return s;
}

interface Door {
  port: number;
  emitted: EmitRequest[];
  clock: ManualClock;
  dir: string;
  db: Store;
  logged: { message: string; fields?: Record<string, unknown> }[];
  close(): Promise<void>;
}

async function door(
  options: {
    failWith?: Error;
    clock?: ManualClock;
    dir?: string;
    server?: Partial<IngestServerOptions>;
  } = {},
): Promise<Door> {
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 5, 1));
  const dir = options.dir ?? tempDir().path;
  const db = store(dir, clock);
  const emitted: EmitRequest[] = [];
  const logged: Door['logged'] = [];
  const logger: Logger = { ...silentLogger, error: (message, fields) => void logged.push({ message, fields }) };
  const ingest = await startIngestServer({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    clock,
    logger,
    replay: sqliteReplayLedger(db, () => clock.now()),
    hasMappings: (event) => event === 'order.created',
    emit: (request) =>
      db.write(() => {
        if (options.failWith) throw options.failWith;
        emitted.push(request);
        return { executionIds: [emitted.length], deduplicated: false };
      }),
    registerWaiting: () => ({ approval: { id: 7, status: 'pending' }, created: true }),
    ...options.server,
  });
  cleanups.push(ingest.close);
  return { port: ingest.port, emitted, clock, dir, db, logged, close: ingest.close };
}

interface Sent {
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Sign with this key (default: the Idempotency-Key header, if any). */
  signKey?: string | null;
  signed?: boolean;
  timestamp?: number;
}

function post(d: Door, sent: Sent = {}) {
  const body = sent.body ?? '{"amount":5}';
  const t = sent.timestamp ?? d.clock.now();
  const headerKey = sent.headers?.['idempotency-key'];
  const signKey = sent.signKey === undefined ? headerKey : (sent.signKey ?? undefined);
  return fetch(`http://127.0.0.1:${d.port}${sent.path ?? '/events/order.created'}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...(sent.signed === false
        ? {}
        : { 'x-flightdeck-signature': sign(SECRET, t, body, signKey), 'x-flightdeck-timestamp': String(t) }),
      ...sent.headers,
    },
  });
}

const messageOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

/** Status of a fresh good event (0 when the connection was dropped). */
async function goodEventStatus(d: Door): Promise<number> {
  d.clock.advance(1);
  return post(d, { body: JSON.stringify({ alive: d.clock.now() }) }).then(
    (res) => res.status,
    () => 0,
  );
}

/** The door still takes a good event: the hostile request before it did not take it down. */
async function stillServes(d: Door) {
  expect(await goodEventStatus(d)).toBe(202);
}

/**
 * Raw HTTP/1.1 on a socket: what a hostile client can send that fetch would not (bad escapes,
 * headers without their body). Resolves with the first answer and whether the server then closed.
 */
function raw(port: number, text: string | Buffer): Promise<{ status: number; body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(received.toString('latin1'))?.[1];
      if (end >= 0 && length !== undefined && received.length >= end + 4 + Number(length)) {
        resolve({
          status: Number(received.subarray(9, 12).toString()),
          body: received.subarray(end + 4, end + 4 + Number(length)).toString('utf8'),
          socket,
        });
      }
    });
    cleanups.push(() => socket.destroy());
  });
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));

describe('HTTP ingest door', () => {
  it('acknowledges a signed event once emitted, with the idempotency key, and signs its answer', async () => {
    const d = await door();
    const t = d.clock.now();
    const body = '{"amount":5}';
    const signature = sign(SECRET, t, body, 'k1');
    const res = await post(d, { body, headers: { 'idempotency-key': 'k1' } });
    expect(res.status).toBe(202);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ ok: true, executionIds: [1], deduplicated: false });
    expect(res.headers.get(ACK_HEADER)).toBe(signAck(SECRET, signature, 202, text));
    expect(d.emitted).toEqual([
      { event: 'order.created', payload: { amount: 5 }, source: 'http', actor: 'http-ingest', idempotencyKey: 'k1' },
    ]);
  });

  it.each([
    ['no signature', { signed: false }, 401],
    ['a wrong signature', { headers: { 'x-flightdeck-signature': 'sha256=' + '0'.repeat(64) } }, 401],
    ['a malformed signature', { headers: { 'x-flightdeck-signature': 'sha256=00' } }, 401],
    ['an old timestamp', { timestamp: Date.UTC(2026, 5, 1) - MAX_SKEW_MS - 1 }, 401],
    ['a timestamp from the future', { timestamp: Date.UTC(2026, 5, 1) + MAX_SKEW_MS + 1 }, 401],
    ['not JSON content', { headers: { 'content-type': 'text/plain' } }, 415],
    ['a JSON-like content type', { headers: { 'content-type': 'application/jsonx' } }, 415],
    ['an idempotency key with spaces', { headers: { 'idempotency-key': 'a b' } }, 400],
  ] satisfies [string, Sent, number][])('refuses %s and emits nothing', async (_name, sent, status) => {
    const d = await door();
    const res = await post(d, sent);
    expect(res.status).toBe(status);
    expect((await messageOf(res)).length).toBeGreaterThan(10);
    expect(d.emitted).toEqual([]);
    await stillServes(d);
  });

  it('refuses bad JSON, bad UTF-8, unknown events, bad names, oversized bodies and other paths', async () => {
    const d = await door();
    expect((await post(d, { body: '{oops' })).status).toBe(400);
    const notUtf8 = await raw(d.port, signedRaw(d, '/events/order.created', Buffer.from([0x22, 0xff, 0x22])));
    expect(notUtf8).toMatchObject({ status: 400, body: expect.stringMatching(/not valid UTF-8/) });
    const unknown = await post(d, { path: '/events/nobody.listens', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(await messageOf(unknown)).toMatch(/No active mapping listens for "nobody.listens"/);
    expect((await post(d, { path: '/events/%20bad', body: '{}' })).status).toBe(400);
    expect((await post(d, { path: '/events/a%2Fb', body: '{}' })).status).toBe(400);
    const big = await post(d, { body: JSON.stringify({ big: 'x'.repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    expect(await messageOf(big)).toMatch(/larger than 1048576 bytes/);
    expect((await post(d, { path: '/elsewhere', body: '{}' })).status).toBe(404);
    const get = await fetch(`http://127.0.0.1:${d.port}/events/order.created`);
    expect(get.status).toBe(405);
    expect(d.emitted).toEqual([]);
    await stillServes(d);
  });

  it('answers 400 to malformed paths and stays up', async () => {
    const d = await door();
    for (const path of ['/%', '/events/%', '/events/%E0%A4%A', '/%zz/events', '/events/order.created%']) {
      const answer = await raw(d.port, `POST ${path} HTTP/1.1\r\nHost: x\r\ncontent-length: 0\r\n\r\n`);
      expect(answer.status, path).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    const long = await raw(d.port, `POST /events/${'a'.repeat(500)} HTTP/1.1\r\nHost: x\r\ncontent-length: 0\r\n\r\n`);
    expect(long).toMatchObject({ status: 414, body: expect.stringMatching(/at most 100 characters/) });
    const garbage = await raw(d.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(JSON.parse(garbage.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const hugeHeader = await raw(d.port, `POST /challenge HTTP/1.1\r\nHost: x\r\nx-big: ${'h'.repeat(70_000)}\r\n\r\n`);
    expect(hugeHeader.status).toBe(431);
    for (const path of ['//[', '/events/', '/events//x', '/approvals/../challenge']) {
      const answer = await raw(d.port, `POST ${path} HTTP/1.1\r\nHost: x\r\ncontent-length: 0\r\n\r\n`);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
    }
    await stillServes(d);
  });

  it('refuses unsigned, stale, mistyped or oversized requests from their headers, without reading the body', async () => {
    const d = await door();
    const t = d.clock.now();
    const cases: [string, number][] = [
      ['content-type: application/json\r\ncontent-length: 1048576', 401],
      [
        `content-type: application/json\r\nx-flightdeck-timestamp: ${t - MAX_SKEW_MS - 1}\r\nx-flightdeck-signature: sha256=${'a'.repeat(64)}\r\ncontent-length: 1048576`,
        401,
      ],
      [
        `content-type: text/plain\r\nx-flightdeck-timestamp: ${t}\r\nx-flightdeck-signature: sha256=${'a'.repeat(64)}\r\ncontent-length: 1000`,
        415,
      ],
      [
        `content-type: application/json\r\nx-flightdeck-timestamp: ${t}\r\nx-flightdeck-signature: sha256=${'a'.repeat(64)}\r\ncontent-length: 1048577`,
        413,
      ],
      ['content-type: application/json\r\ntransfer-encoding: chunked', 401],
    ];
    for (const [headers, status] of cases) {
      // Only the headers are sent: an answer proves the door did not wait for the body.
      const answer = await raw(d.port, `POST /events/order.created HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`);
      expect(answer.status, headers).toBe(status);
      await closed(answer.socket);
    }
    expect(d.emitted).toEqual([]);
    await stillServes(d);
  });

  it('an oversized body gets its 413, not a reset, however much of it the sender has sent', async () => {
    // The answer goes out before the body is read; the door keeps reading (and discarding) a little
    // longer, so that closing the connection does not reset the answer away from the sender. The
    // sender is another process, as it is in use (in one event loop the race cannot happen).
    const d = await door();
    const statuses = await postFromChild(d, 60, (i) => 1_048_577 + i * 9_973);
    expect(new Set(statuses)).toEqual(new Set([413]));
    await stillServes(d);
  });

  it('refuses JSON nested deeper than the limit before parsing it', async () => {
    const d = await door({ server: { limits: { maxPayloadBytes: 1024 * 1024, maxDepth: 8 } } });
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const deep = await post(d, { body: nested(9) });
    expect(deep.status).toBe(400);
    expect(await messageOf(deep)).toMatch(/deeper than 8 levels/);
    expect((await post(d, { body: nested(500_000) })).status).toBe(400);
    expect((await post(d, { body: JSON.stringify({ s: '[[[[[[[[[[[[' }) })).status).toBe(202);
    expect((await post(d, { body: nested(8) })).status).toBe(202);
    expect(d.emitted.map((e) => e.payload)).toEqual([{ s: '[[[[[[[[[[[[' }, JSON.parse(nested(8))]);
  });

  it('accepts a signed request once: a replay is refused, on any path', async () => {
    const d = await door();
    expect((await post(d)).status).toBe(202);
    const replay = await post(d);
    expect(replay.status).toBe(409);
    expect(await messageOf(replay)).toMatch(/accepted before; a replay is refused/);
    // The event name is not signed, but the signature is used up wherever it is sent.
    expect((await post(d, { path: '/approvals' })).status).toBe(409);
    expect(d.emitted).toHaveLength(1);
    // The same body at another moment is another request.
    d.clock.advance(1);
    expect((await post(d)).status).toBe(202);
    expect(d.emitted).toHaveLength(2);
  });

  it('refuses a replay after a restart inside the window, and forgets it once the window has passed', async () => {
    const first = await door();
    const t = first.clock.now();
    expect((await post(first, { headers: { 'idempotency-key': 'restart-1' } })).status).toBe(202);
    await first.close();
    first.db.close();

    const clock = new ManualClock(t + MAX_SKEW_MS - 1);
    const second = await door({ clock, dir: first.dir });
    const replay = await post(second, { timestamp: t, headers: { 'idempotency-key': 'restart-1' } });
    expect(replay.status).toBe(409);
    expect(second.emitted).toEqual([]);
    const rows = () => second.db.db.prepare('SELECT count(*) FROM ingest_replay').pluck().get();
    expect(rows()).toBe(1);

    // Past the window the timestamp alone refuses it, and the remembered signature is pruned.
    clock.advance(2);
    expect((await post(second, { timestamp: t, headers: { 'idempotency-key': 'restart-1' } })).status).toBe(401);
    await stillServes(second);
    expect(rows()).toBe(1);
  });

  it('does not use up a signature when the request is not accepted (503), so the sender can retry it', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const dir = tempDir().path;
    const failing = await door({
      clock,
      dir,
      failWith: new AppError('UNAVAILABLE', 'Shutting down', { retryable: true }),
    });
    expect((await post(failing)).status).toBe(503);
    await failing.close();
    failing.db.close();
    const working = await door({ clock, dir });
    expect((await post(working)).status).toBe(202);
  });

  it('makes the idempotency key part of what is signed', async () => {
    const d = await door();
    const keyNotSigned = await post(d, { headers: { 'idempotency-key': 'k1' }, signKey: null });
    expect(keyNotSigned.status).toBe(401);
    expect(await messageOf(keyNotSigned)).toMatch(/idempotency-key:<key>/);
    expect((await post(d, { headers: { 'idempotency-key': 'k2' }, signKey: 'k1' })).status).toBe(401);
    expect((await post(d, { signKey: 'k1' })).status).toBe(401);
    // A keyed signature cannot pass for an unkeyed one with the key moved into the body.
    const t = d.clock.now();
    const res = await fetch(`http://127.0.0.1:${d.port}/events/order.created`, {
      method: 'POST',
      body: 'idempotency-key:k3\n5',
      headers: {
        'content-type': 'application/json',
        'x-flightdeck-timestamp': String(t),
        'x-flightdeck-signature': sign(SECRET, t, '5', 'k3'),
      },
    });
    expect(res.status).toBe(400);
    expect(d.emitted).toEqual([]);
    expect((await post(d, { headers: { 'idempotency-key': 'k1' } })).status).toBe(202);
  });

  it('answers 500 and logs anything unforeseen, and stays up', async () => {
    const d = await door({ failWith: new TypeError('boom') });
    const res = await post(d);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'The request was not handled; try again.' },
    });
    expect(d.logged).toEqual([expect.objectContaining({ message: 'Ingest door: unexpected error' })]);
  });

  it('survives a client that sends half a body and disconnects', async () => {
    const d = await door();
    const t = d.clock.now();
    const socket = connect(d.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /events/order.created HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n` +
        `x-flightdeck-timestamp: ${t}\r\nx-flightdeck-signature: ${sign(SECRET, t, '{"a":1}')}\r\ncontent-length: 1000\r\n\r\n{"a":`,
    );
    socket.destroy();
    await stillServes(d);
    expect(d.emitted).toHaveLength(1);
  });

  it('caps open connections: one more is closed on arrival, and served once a slot is free', async () => {
    const d = await door({ server: { maxConnections: 2 } });
    // Two held keep-alive connections, each proven accepted by an answer on it.
    const keep = await Promise.all([keptOpen(d), keptOpen(d)]);
    const extra = connect(d.port, '127.0.0.1');
    extra.on('error', () => {});
    let answered = '';
    extra.on('data', (chunk) => (answered += chunk.toString()));
    extra.on('connect', () => extra.write('POST /challenge HTTP/1.1\r\nHost: x\r\ncontent-length: 0\r\n\r\n'));
    await closed(extra);
    expect(answered).toBe('');
    keep[0]?.destroy();
    await expect.poll(() => challengeStatus(d.port), { timeout: 10_000 }).toBe(200);
    keep[1]?.destroy();
    await expect.poll(() => goodEventStatus(d), { timeout: 10_000 }).toBe(202);
  });

  it('limits the request rate on one connection (429) without taking the door down', async () => {
    const d = await door({ server: { maxRequestsPerSecond: 2 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const statuses: number[] = [];
    for (let i = 0; i < 20 && !statuses.includes(429); i++) statuses.push(await challengeStatus(d.port, agent));
    expect(statuses).toContain(429);
    await stillServes(d);
  });

  it('answers the challenge with the HMAC of its nonce, unsigned, and refuses a bad nonce', async () => {
    const d = await door();
    const nonce = 'n'.repeat(16) + '_-0';
    const res = await fetch(`http://127.0.0.1:${d.port}/challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nonce }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, proof: challengeProof(SECRET, nonce) });
    for (const body of ['{"nonce":"short"}', '{"nonce":"has.a.dot.in.it.and.long"}', '[]', 'null', '{']) {
      const bad = await fetch(`http://127.0.0.1:${d.port}/challenge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(bad.status, body).toBe(400);
    }
    const big = await fetch(`http://127.0.0.1:${d.port}/challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nonce: 'x'.repeat(2000) }),
    });
    expect(big.status).toBe(413);
    await stillServes(d);
  });
});

/** A signed request as raw text, for bodies fetch would not send as given. */
function signedRaw(d: Door, path: string, body: Buffer): Buffer {
  const t = d.clock.now();
  const head =
    `POST ${path} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nconnection: close\r\n` +
    `x-flightdeck-timestamp: ${t}\r\nx-flightdeck-signature: ${sign(SECRET, t, body)}\r\n` +
    `content-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

/** A keep-alive connection the door has accepted (a challenge was answered on it). */
async function keptOpen(d: Door): Promise<Socket> {
  const body = JSON.stringify({ nonce: 'k'.repeat(20) });
  const answer = await raw(
    d.port,
    `POST /challenge HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
  expect(answer.status).toBe(200);
  return answer.socket;
}

/** Status of a challenge request (0 when the connection was refused or dropped). */
function challengeStatus(port: number, agent?: Agent): Promise<number> {
  const body = JSON.stringify({ nonce: 'p'.repeat(20) });
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/challenge',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(agent ? { agent } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Statuses (or fetch errors) of `count` signed posts of JSON bodies of the given sizes, sent by a child process. */
async function postFromChild(d: Door, count: number, size: (i: number) => number): Promise<(number | string)[]> {
  const t = d.clock.now();
  const bodies = Array.from({ length: count }, (_, i) => {
    const body = JSON.stringify({ big: 'x'.repeat(Math.max(0, size(i) - 10)) });
    return { body, signature: sign(SECRET, t, body) };
  });
  const script = `
    const bodies = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const out = [];
      for (const { body, signature } of bodies) {
        out.push(await fetch('http://127.0.0.1:${d.port}/events/order.created', {
          method: 'POST', body,
          headers: { 'content-type': 'application/json', 'x-flightdeck-signature': signature, 'x-flightdeck-timestamp': '${t}' },
        }).then((r) => r.status, (e) => String(e.cause?.code ?? e.message)));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify(bodies));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'close');
  return JSON.parse(out) as (number | string)[];
}
