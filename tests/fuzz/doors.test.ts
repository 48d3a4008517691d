import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../../src/main/core/testing/test-core';
import { waitRegistrationSchema } from '../../src/main/core/approvals/wait-registration';
import { describeInput, signIngest } from './contract-world';
import { checkProperty, FUZZ_SEED, fuzzParameters, replayHint } from './fuzz-config';
import { deepJson, ODD_STRINGS } from './hostile';
import { hostBuilt, ingestSecret, startHost, type HostProcess } from './host-process';
import { LOOPBACK_API_KEY, startLoopbackN8n, type LoopbackN8n } from './loopback-n8n';
import { callFrame, rawRequest, wsFrame, wsSession, type RawAnswer, type WsOutcome } from './raw-wire';
import { openStoreProbe, type Checksums, type StoreProbe } from './store-probe';
import { arbitraryFor, inputArbitrary } from './zod-arbitrary';

/**
 * The doors of the built headless host, tried as a hostile neighbour would: raw malformed
 * requests on the console's HTTP port, WebSocket handshakes and frames on /api (with and without
 * the token), and the signed ingest door. After every group: the process is still up, a normal
 * authenticated call still answers, and nothing was stored.
 *
 * A door that kills the host does not hide the next one's result: the host is started again on
 * the same data folder before each test, and the test that killed it fails naming the exit.
 */

const FILE = 'tests/fuzz/doors.test.ts';
const H = 'Host: 127.0.0.1\r\n';

/**
 * A door property stops at its first failure without shrinking: once a request has killed the
 * host, every smaller one "fails" too, and shrinking would blame an innocent `GET /`.
 */
const doorParameters = <T>(index: number, runs: number) => ({ ...fuzzParameters<T>(index, runs), endOnFailure: true });

/** Tables that change while the host merely runs: its metrics loop samples gauges every second. */
const BACKGROUND_TABLES = ['metric_samples', 'metric_state', 'metric_rollups', 'monitoring_events'];

let dir: ReturnType<typeof tempDir>;
let loop: LoopbackN8n;
let host: HostProcess;
let probe: StoreProbe;
let ingestUrl = '';
let ingestPort = 0;
let secret = '';
/** How earlier hosts of this run ended, for the report. */
const deaths: string[] = [];

/** One contract call over a normal WebSocket client, as a second browser tab would make it. */
async function call(
  channel: string,
  input: unknown,
): Promise<{ ok: boolean; data?: unknown; error?: { code: string } }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, ['flightdeck.v1', `token.${host.token}`]);
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<{ ok: boolean; data?: unknown; error?: { code: string } }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${channel}: no answer within 15 s`)), 15_000);
      ws.on('message', (m) => {
        const frame = JSON.parse(String(m)) as { type: string; id?: number; result: never };
        if (frame.type === 'result' && frame.id === 1) {
          clearTimeout(timer);
          resolve(frame.result);
        }
      });
    });
    ws.send(JSON.stringify({ type: 'call', id: 1, channel, input }));
    return await reply;
  } finally {
    ws.terminate();
  }
}

async function boot(): Promise<void> {
  host = await startHost(dir.path, { FLIGHTDECK_LOG_LEVEL: 'info' });
  const info = await call('ingest:info', {});
  ingestUrl = (info.data as { url: string }).url;
  ingestPort = Number(new URL(ingestUrl).port);
}

/** Waits (on the store, up to 20 s) until nothing is queued or running: the seeded run was dispatched. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (probe.count("SELECT count(*) FROM jobs WHERE state IN ('waiting', 'active')") > 0) {
    if (Date.now() > deadline) throw new Error('the queued run was not dispatched within 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stored = (): Checksums => {
  const sums = probe.checksums();
  for (const table of BACKGROUND_TABLES) delete sums[table];
  return sums;
};

/** The host is up and answers: a normal call over WebSocket, and a plain refusal at the ingest door. */
async function expectAlive(): Promise<void> {
  if (!(await hostResponds())) {
    const ended = JSON.stringify(host.exit()) ?? 'no answer';
    throw new Error(`the host exited (${ended}); its last log lines:\n${host.output().slice(-3_000)}`);
  }
  expect(await call('app:status', {})).toMatchObject({ ok: true, data: { state: 'ready' } });
  const unsigned = await fetch(`${ingestUrl}/events/order.created`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(unsigned.status).toBe(401);
}

function expectUnchanged(before: Checksums): void {
  const changed = probe.diff(before, stored());
  // The newest rows of what changed, so a failure says what was stored, not only where.
  const newest = (t: string) => {
    try {
      return probe.rows(`SELECT * FROM "${t}" ORDER BY rowid DESC LIMIT 3`);
    } catch {
      return probe.rows(`SELECT * FROM "${t}" LIMIT 3`); // a WITHOUT ROWID table
    }
  };
  const rows = changed.map((t) => `${t}: ${describeInput(newest(t), 700)}`);
  expect(changed, `tables changed by refused requests\n${rows.join('\n')}`).toEqual([]);
}

/** Why an answer is not a refusal (a 4xx, or a connection closed without answering), or null when it is. */
function notRefused(what: string, answer: RawAnswer): string | null {
  const ok = answer.status === null ? answer.closed : answer.status >= 400 && answer.status < 500;
  if (ok) return null;
  const socket = answer.closed ? '' : ' and kept the socket open';
  return `${what}: answered ${answer.status ?? 'nothing'}${socket}: ${answer.text.slice(0, 200)}`;
}

function expectRefused(what: string, answer: RawAnswer): void {
  expect(notRefused(what, answer)).toBeNull();
}

/** Why a fetch answer is not a 4xx, or null. */
async function notRefusedFetch(what: string, res: Response): Promise<string | null> {
  if (res.status >= 400 && res.status < 500) return null;
  return `${what}: answered ${res.status} ${(await res.text()).slice(0, 200)}`;
}

beforeAll(async () => {
  if (!hostBuilt()) throw new Error('Build the host first: npx electron-vite build (npm run test:fuzz does).');
  console.log(`doors fuzz: seed ${FUZZ_SEED} — replay with ${replayHint(FILE)}`);
  dir = tempDir('flightdeck-doors-');
  loop = await startLoopbackN8n();
  await boot();
  probe = openStoreProbe(dir.path);
  secret = ingestSecret(dir.path);
  // A little data, so that "nothing stored" is checked against a store that has something in it.
  const instance = await call('instances:add', {
    name: 'Loopback',
    baseUrl: loop.url,
    apiKey: LOOPBACK_API_KEY,
    environment: 'prod',
    color: '#2f6fed',
    syncEnabled: false,
  });
  expect(instance.ok).toBe(true);
  const mapping = await call('mappings:create', {
    mapping: { event: 'order.created', instanceId: (instance.data as { id: string }).id, webhookPath: 'orders/new' },
  });
  expect(mapping.ok).toBe(true);
  // The positive control: a correctly signed event is accepted, so refusals below are not a broken signer.
  const body = JSON.stringify({ amount: 42 });
  const accepted = await fetch(`${ingestUrl}/events/order.created`, {
    method: 'POST',
    headers: signIngest(secret, Date.now(), body),
    body,
  });
  expect(accepted.status).toBe(202);
  await settled();
}, 120_000);

/** True when the host answers a plain HEAD (within 15 s); false once its process has exited. */
async function hostResponds(): Promise<boolean> {
  if (host.exit()) return false;
  try {
    const res = await fetch(host.url, { method: 'HEAD', signal: AbortSignal.timeout(15_000) });
    return res.status === 200;
  } catch {
    // No answer: it is going down (or wedged). Give its exit a moment to be reported.
    const deadline = Date.now() + 10_000;
    while (!host.exit() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return false;
  }
}

beforeEach(async () => {
  if (!(await hostResponds())) {
    deaths.push(`${JSON.stringify(host.exit())}: ${host.output().slice(-600)}`);
    await host.stop();
    await boot();
  }
  await settled();
});

afterAll(async () => {
  if (deaths.length > 0) console.log(`doors fuzz: the host died ${deaths.length} time(s):\n${deaths.join('\n---\n')}`);
  await host?.stop();
  probe?.close();
  await loop?.close();
  dir?.remove();
});

// ---- the console's HTTP port ----------------------------------------------------------------------

/** Requests no valid client sends: each must be answered 4xx or closed. */
const MALFORMED_REQUESTS: [string, string | Buffer][] = [
  ['GET /% (a lone percent)', `GET /% HTTP/1.1\r\n${H}\r\n`],
  ['GET //[ (an unclosed IPv6 host)', `GET //[ HTTP/1.1\r\n${H}\r\n`],
  ['a truncated UTF-8 escape', `GET /%E0%A4%A HTTP/1.1\r\n${H}\r\n`],
  ['an overlong UTF-8 escape', `GET /%C0%AF HTTP/1.1\r\n${H}\r\n`],
  ['an escaped lone surrogate', `GET /%ED%A0%80 HTTP/1.1\r\n${H}\r\n`],
  ['a NUL byte in the path', `GET /a\x00b HTTP/1.1\r\n${H}\r\n`],
  ['a DEL byte in the path', `GET /\x7f HTTP/1.1\r\n${H}\r\n`],
  ['a 100 KB path', `GET /${'a'.repeat(100_000)} HTTP/1.1\r\n${H}\r\n`],
  ['an absolute URL with a broken host', `GET http://[::1/ HTTP/1.1\r\n${H}\r\n`],
  ['HTTP/9.9', `GET / HTTP/9.9\r\n${H}\r\n`],
  ['a TLS hello on the plain port', Buffer.from('16030100a5010000a103035f', 'hex')],
  ['binary garbage', Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a])],
  ['a header line without a colon', `GET / HTTP/1.1\r\n${H}NoColonHere\r\n\r\n`],
  ['a space in a header name', `GET / HTTP/1.1\r\n${H}Bad Header: x\r\n\r\n`],
  ['a NUL in a header value', `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`],
  ['a 100 KB header', `GET / HTTP/1.1\r\n${H}X-Big: ${'b'.repeat(100_000)}\r\n\r\n`],
  ['a folded header line', `GET / HTTP/1.1\r\n${H}X-A: a\r\n  folded\r\n\r\n`],
  ['no Host header', 'GET / HTTP/1.1\r\n\r\n'],
  ['two different Content-Lengths', `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
  ['a negative Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`],
  [
    'Content-Length with Transfer-Encoding',
    `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  ],
  ['a chunk size that is not hex', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`],
  [
    'a chunk size that overflows',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc\r\n`,
  ],
  ['a chunk that never ends', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10\r\nabc`],
  ['a body shorter than its Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\nabc`],
  ['a POST to the console', `POST / HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\n{}`],
  ['a DELETE of the API path', `DELETE /api HTTP/1.1\r\n${H}\r\n`],
];

/** Well-formed but odd requests: any answer below 500 will do, as long as no file outside the app leaks. */
const ODD_REQUESTS: [string, string][] = [
  ['an encoded path traversal', `GET /..%2f..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\n${H}\r\n`],
  ['a dotted path traversal', `GET /%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n${H}\r\n`],
  ['a backslash traversal', `GET /..\\..\\..\\etc\\passwd HTTP/1.1\r\n${H}\r\n`],
  ['an encoded NUL', `GET /index.html%00.js HTTP/1.1\r\n${H}\r\n`],
  ['a query with a lone percent', `GET /?q=% HTTP/1.1\r\n${H}\r\n`],
  ['the data folder by name', `GET /flightdeck.sqlite HTTP/1.1\r\n${H}\r\n`],
  ['HEAD', `HEAD / HTTP/1.1\r\n${H}\r\n`],
  ['OPTIONS *', `OPTIONS * HTTP/1.1\r\n${H}\r\n`],
  ['a GET with a body', `GET / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`],
  ['HTTP/1.0 without Host', 'GET / HTTP/1.0\r\n\r\n'],
  // Node's parser reads a request line without a version as HTTP/0.9-style and serves it.
  ['no HTTP version', 'GET /\r\n\r\n'],
  ['a plain GET of /api', `GET /api HTTP/1.1\r\n${H}\r\n`],
  ['/metrics without a token', `GET /metrics HTTP/1.1\r\n${H}\r\n`],
];

describe('the console port answers malformed HTTP with a 4xx and stays up', () => {
  for (const [name, bytes] of MALFORMED_REQUESTS) {
    it(name, async () => {
      const before = stored();
      expectRefused(name, await rawRequest(host.port, bytes));
      await expectAlive();
      expectUnchanged(before);
    });
  }

  it('odd but well-formed requests get no 5xx and never a file outside the app', async () => {
    const before = stored();
    const problems: string[] = [];
    for (const [name, bytes] of ODD_REQUESTS) {
      const answer = await rawRequest(host.port, bytes);
      if (answer.status !== null && answer.status >= 500) problems.push(`${name}: ${answer.status}`);
      if (/root:.*:0:0:|SQLite format 3/.test(answer.text)) problems.push(`${name}: served a file outside the app`);
      if (!(await hostResponds())) {
        problems.push(`${name}: the host exited`);
        break;
      }
    }
    expect(problems).toEqual([]);
    await expectAlive();
    expectUnchanged(before);
  });

  it('fuzzed request lines and headers', async () => {
    const before = stored();
    const piece = fc.constantFrom(
      '%',
      '%%',
      '%E0%A4',
      '%C0%AF',
      '%00',
      '//',
      '[',
      ']',
      '..',
      '\\',
      '?',
      '#',
      '%2f',
      '@',
      ':',
      'a',
      '~',
      '\t',
      '%ED%A0%80',
    );
    const path = fc.array(piece, { maxLength: 8 }).map((p) => '/' + p.join(''));
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'BREW', 'get', 'CONNECT', '');
    const header = fc.tuple(
      fc.constantFrom('X-A', 'Content-Length', 'Transfer-Encoding', 'Origin', 'Authorization', 'Upgrade', 'Connection'),
      fc.constantFrom('', '-1', 'chunked', 'websocket', 'Bearer \x01', '😀', 'a'.repeat(9_000), '1, 2', 'close'),
    );
    const request = fc.record({
      method,
      path,
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', ''),
      headers: fc.array(header, { maxLength: 4 }),
    });
    const property = fc.asyncProperty(request, async (r) => {
      const head = `${r.method} ${r.path} ${r.version}\r\n${H}${r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
      const answer = await rawRequest(host.port, Buffer.from(head, 'utf8'));
      if (answer.status !== null && answer.status >= 500)
        throw new Error(`answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      if (host.exit()) throw new Error(`the host exited: ${host.output().slice(-1_500)}`);
    });
    await checkProperty(property, doorParameters(1_000, 150), (r) => describeInput(r), replayHint(FILE));
    await expectAlive();
    expectUnchanged(before);
  });
});

// ---- WebSocket /api -----------------------------------------------------------------------------

const withToken = () => ({ protocols: ['flightdeck.v1', `token.${host.token}`] });

/** Refused handshakes: anything but 101, and the host stays up. */
describe('WebSocket handshakes without a valid token are refused', () => {
  const cases: [string, () => Parameters<typeof wsSession>[1]][] = [
    ['no token', () => ({ protocols: ['flightdeck.v1'] })],
    ['no sub-protocol at all', () => ({})],
    ['a wrong token', () => ({ protocols: ['flightdeck.v1', 'token.wrong'] })],
    [
      'the token with one character changed',
      () => ({ protocols: ['flightdeck.v1', `token.${host.token.slice(0, -1)}0`] }),
    ],
    ['a 10 KB token', () => ({ protocols: ['flightdeck.v1', `token.${'a'.repeat(10_000)}`] })],
    ['a wrong bearer token', () => ({ headers: { Authorization: 'Bearer wrong' } })],
    ['the right token from a foreign origin', () => ({ ...withToken(), origin: 'http://evil.example' })],
    ['the right token with a null origin', () => ({ ...withToken(), origin: 'null' })],
    ['the right token on another path', () => ({ ...withToken(), path: '/api/../x' })],
    ['an unsupported WebSocket version', () => ({ ...withToken(), headers: { 'Sec-WebSocket-Version': '8' } })],
  ];
  for (const [name, handshake] of cases) {
    it(name, async () => {
      const before = stored();
      // Frames follow at once, as a client that does not wait for the answer would send them.
      const outcome = await wsSession(host.port, handshake(), [callFrame(1, 'app:status', {})]);
      expect(outcome.status, name).not.toBe(101);
      expect(outcome.messages).toEqual([]);
      await expectAlive();
      expectUnchanged(before);
    });
  }

  it('frames sent without any handshake are not taken as calls', async () => {
    const before = stored();
    const frames = Buffer.concat([
      callFrame(1, 'ingest:emit', { event: 'order.created', payload: {} }),
      callFrame(2, 'app:status', {}),
    ]);
    expectRefused('raw frames', await rawRequest(host.port, frames));
    await expectAlive();
    expectUnchanged(before);
  });
});

/** What the server may do with a bad frame: answer a refusal (not INTERNAL), or close the socket. */
function expectFrameRefused(
  name: string,
  outcome: WsOutcome,
  closeCodes: number[] = [1002, 1003, 1007, 1008, 1009],
): void {
  expect(outcome.status, `${name}: handshake`).toBe(101);
  const refusal = outcome.messages.find(
    (m) => typeof m === 'object' && m !== null && (m as { result?: { ok?: boolean } }).result?.ok === false,
  ) as { result: { error: { code: string } } } | undefined;
  if (refusal) {
    expect(refusal.result.error.code, `${name}: ${describeInput(refusal)}`).not.toBe('INTERNAL');
    return;
  }
  const closedWell = outcome.closeCode !== null ? closeCodes.includes(outcome.closeCode) : outcome.closed;
  expect(
    closedWell,
    `${name}: got ${describeInput(outcome.messages)} / close ${outcome.closeCode} / closed ${outcome.closed}`,
  ).toBe(true);
}

describe('bad WebSocket frames from an authenticated client are refused and the host stays up', () => {
  const big = (bytes: number) =>
    JSON.stringify({
      type: 'call',
      id: 1,
      channel: 'ingest:emit',
      input: { event: 'order.created', payload: { blob: 'x'.repeat(bytes) } },
    });
  const cases: [string, () => Buffer[]][] = [
    ['a text frame with invalid UTF-8', () => [wsFrame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))]],
    ['a text frame ending inside a UTF-8 sequence', () => [wsFrame(0x1, Buffer.from([0x22, 0xe2, 0x82]))]],
    ['a text frame with an encoded lone surrogate', () => [wsFrame(0x1, Buffer.from([0xed, 0xa0, 0x80]))]],
    ['a frame announcing 64 MiB', () => [wsFrame(0x1, 'x'.repeat(1_024), { claimLength: 64 * 1024 * 1024 })]],
    ['a frame announcing 2^63 bytes', () => [wsFrame(0x1, 'x', { claimLength: 2n ** 63n + 5n }).subarray(0, 14)]],
    ['a 3 MiB call (over the 1 MiB payload limit)', () => [wsFrame(0x1, big(3 * 1024 * 1024))]],
    [
      'a call nested 5,000 levels deep',
      () => [
        wsFrame(
          0x1,
          `{"type":"call","id":1,"channel":"ingest:emit","input":{"event":"order.created","payload":${deepJson(5_000)}}}`,
        ),
      ],
    ],
    ['JSON text nested 100,000 levels deep', () => [wsFrame(0x1, '['.repeat(100_000) + ']'.repeat(100_000))]],
    ['not JSON', () => [wsFrame(0x1, '{"type":"call",')]],
    ['JSON of the wrong shape', () => [wsFrame(0x1, '[1,2,3]')]],
    [
      'a call with a negative id',
      () => [wsFrame(0x1, JSON.stringify({ type: 'call', id: -1, channel: 'app:status', input: {} }))],
    ],
    ['a call with a 10 KB channel name', () => [callFrame(1, 'c'.repeat(10_000), {})]],
    ['a call to __proto__', () => [callFrame(1, '__proto__', {})]],
    [
      'a call with a __proto__ input',
      () => [
        wsFrame(
          0x1,
          '{"type":"call","id":1,"channel":"settings:update","input":{"patch":{"__proto__":{"theme":"dark"}}}}',
        ),
      ],
    ],
    [
      'a binary frame',
      () => [wsFrame(0x2, Buffer.from(JSON.stringify({ type: 'call', id: 1, channel: 'nope', input: {} })))],
    ],
    ['binary garbage', () => [wsFrame(0x2, Buffer.from([0, 1, 2, 255]))]],
    [
      'an unmasked client frame',
      () => [wsFrame(0x1, JSON.stringify({ type: 'call', id: 1, channel: 'app:status', input: {} }), { mask: false })],
    ],
    ['RSV1 set without an extension', () => [wsFrame(0x1, '{}', { rsv: 4 })]],
    ['an unknown opcode', () => [wsFrame(0x3, '{}')]],
    ['a continuation frame with nothing to continue', () => [wsFrame(0x0, '{}')]],
    ['a fragmented ping', () => [wsFrame(0x9, 'p', { fin: false })]],
    ['a 200-byte ping', () => [wsFrame(0x9, 'p'.repeat(200))]],
    ['a close frame with code 999', () => [wsFrame(0x8, Buffer.from([0x03, 0xe7]))]],
    ['a one-byte close frame', () => [wsFrame(0x8, Buffer.from([0x03]))]],
    [
      'a new message inside a fragmented one',
      () => [wsFrame(0x1, '{"type":', { fin: false }), wsFrame(0x1, '"call"}')],
    ],
  ];
  for (const [name, frames] of cases) {
    it(name, async () => {
      const before = stored();
      const outcome = await wsSession(host.port, withToken(), frames());
      expectFrameRefused(name, outcome);
      await expectAlive();
      expectUnchanged(before);
    });
  }

  it('fuzzed frames (random opcodes, bits, lengths and payloads)', async () => {
    const before = stored();
    const frame = fc.record({
      opcode: fc.integer({ min: 0, max: 15 }),
      fin: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
      mask: fc.boolean(),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(...ODD_STRINGS).map((s) => new TextEncoder().encode(s)),
      ),
    });
    const property = fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 3 }), async (frames) => {
      const bytes = frames.map((f) => wsFrame(f.opcode, Buffer.from(f.payload), f));
      const outcome = await wsSession(host.port, withToken(), bytes, { timeoutMs: 3_000 });
      const internal = outcome.messages.find(
        (m) => (m as { result?: { error?: { code?: string } } }).result?.error?.code === 'INTERNAL',
      );
      if (internal) throw new Error(`INTERNAL: ${describeInput(internal)}`);
      if (!(await hostResponds())) throw new Error(`the host exited: ${host.output().slice(-1_500)}`);
    });
    await checkProperty(property, doorParameters(1_001, 60), (f) => describeInput(f), replayHint(FILE));
    await expectAlive();
    expectUnchanged(before);
  });
});

// ---- the ingest door ------------------------------------------------------------------------------

const signedPost = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${ingestUrl}${path}`, {
    method: 'POST',
    headers: { ...signIngest(secret, Date.now(), body), ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

describe('the ingest door refuses malformed paths, bad signatures and hostile bodies', () => {
  it('malformed paths get a 4xx', async () => {
    const before = stored();
    const paths = [
      '/events/%',
      '/events/%E0%A4%A',
      '/events/%C0%AF',
      '/events/%ED%A0%80',
      '/events/',
      '/events/a/b',
      '/events/..%2f..%2fapprovals',
      `/events/${'e'.repeat(20_000)}`,
      '//events/order.created',
      '/events/order.created%00',
      '/approvals/%',
      '/%',
      '//[',
    ];
    const problems: string[] = [];
    for (const path of paths) {
      const request = `POST ${path} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
      const problem = notRefused(`POST ${path.slice(0, 60)}`, await rawRequest(ingestPort, request));
      if (problem) problems.push(problem.split('\r\n')[0]!);
    }
    expect(problems).toEqual([]);
    await expectAlive();
    expectUnchanged(before);
  });

  it('missing, malformed, wrong and stale signatures get a 401', async () => {
    const before = stored();
    const body = JSON.stringify({ amount: 1 });
    const signed = signIngest(secret, Date.now(), body);
    const variants: [string, Record<string, string>][] = [
      ['no signature', { 'content-type': 'application/json' }],
      [
        'no timestamp',
        { 'content-type': 'application/json', 'x-flightdeck-signature': signed['x-flightdeck-signature']! },
      ],
      ['a malformed signature', { ...signed, 'x-flightdeck-signature': 'sha256=zz' }],
      [
        'another algorithm',
        { ...signed, 'x-flightdeck-signature': signed['x-flightdeck-signature']!.replace('sha256=', 'md5=') },
      ],
      ['upper-case hex', { ...signed, 'x-flightdeck-signature': signed['x-flightdeck-signature']!.toUpperCase() }],
      ['signed with another secret', signIngest('not-the-secret', Date.now(), body)],
      ['signed for another body', signIngest(secret, Date.now(), '{"amount":2}')],
      ['ten minutes old', signIngest(secret, Date.now() - 600_000, body)],
      ['ten minutes ahead', signIngest(secret, Date.now() + 600_000, body)],
      ['a timestamp that is not a number', { ...signed, 'x-flightdeck-timestamp': 'NaN' }],
      ['a timestamp of 1e309', { ...signed, 'x-flightdeck-timestamp': '1e309' }],
      ['a timestamp in seconds', signIngest(secret, Math.floor(Date.now() / 1000), body)],
    ];
    const problems: string[] = [];
    for (const [name, headers] of variants) {
      const res = await fetch(`${ingestUrl}/events/order.created`, { method: 'POST', headers, body });
      if (res.status !== 401) problems.push(`${name}: ${res.status}`);
    }
    expect(problems).toEqual([]);
    await expectAlive();
    expectUnchanged(before);
  });

  it('a replayed signed request is refused the second time', async () => {
    const body = JSON.stringify({ amount: 3 });
    const headers = signIngest(secret, Date.now(), body);
    const first = await fetch(`${ingestUrl}/events/order.created`, { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    await settled();
    const before = stored();
    const replay = await fetch(`${ingestUrl}/events/order.created`, { method: 'POST', headers, body });
    expect(replay.status, 'the same signed request again').toBeGreaterThanOrEqual(400);
    expect(replay.status).toBeLessThan(500);
    await settled();
    await expectAlive();
    expectUnchanged(before);
  });

  it('huge, deep and broken bodies get a 4xx, signed or not', async () => {
    const before = stored();
    const huge = JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) });
    const deep = deepJson(5_000);
    const bodies: [string, () => Promise<Response>][] = [
      [
        '2 MiB unsigned',
        () =>
          fetch(`${ingestUrl}/events/order.created`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: huge,
          }),
      ],
      ['2 MiB signed', () => signedPost('/events/order.created', huge)],
      ['5,000 levels deep, signed', () => signedPost('/events/order.created', deep)],
      [
        '100,000 brackets, signed',
        () => signedPost('/events/order.created', '['.repeat(100_000) + ']'.repeat(100_000)),
      ],
      ['not JSON, signed', () => signedPost('/events/order.created', '{"amount":')],
      [
        'invalid UTF-8, signed',
        () => signedPost('/events/order.created', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
      ],
      ['text/plain, signed', () => signedPost('/events/order.created', '{}', { 'content-type': 'text/plain' })],
      ['an event nobody listens to, signed', () => signedPost('/events/nobody.listens', '{}')],
      ['a GET', () => fetch(`${ingestUrl}/events/order.created`)],
      ['approvals: 2 MiB signed', () => signedPost('/approvals', huge)],
      ['approvals: 5,000 levels deep, signed', () => signedPost('/approvals', deep)],
      [
        'approvals: unsigned',
        () =>
          fetch(`${ingestUrl}/approvals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }),
      ],
      ['approvals: a GET', () => fetch(`${ingestUrl}/approvals`)],
    ];
    const problems: string[] = [];
    for (const [name, send] of bodies) {
      const problem = await notRefusedFetch(name, await send());
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
    await expectAlive();
    expectUnchanged(before);
  });

  it('fuzzed signed approval registrations that name no instance of ours are refused', async () => {
    const before = stored();
    // Derived from the door's own schema; instance references never match, so nothing may be stored.
    const registration = inputArbitrary(waitRegistrationSchema, (field, derived) => {
      if (field.key === 'instanceId') return fc.constantFrom('no-such-instance', '', ...ODD_STRINGS.slice(0, 8));
      if (field.key === 'instanceUrl') return fc.constantFrom('http://127.0.0.1:1', 'not a url', 'http://[::1');
      if (field.key === 'resumeUrl') return fc.oneof(derived(), fc.constant(`${loop.url}/webhook-waiting/1`));
      return undefined;
    });
    const property = fc.asyncProperty(registration, async (value) => {
      let body: string;
      try {
        body = JSON.stringify(value) ?? 'null';
      } catch {
        body = '['.repeat(5_000) + ']'.repeat(5_000);
      }
      const res = await signedPost('/approvals', body);
      if (res.status < 400 || res.status >= 500)
        throw new Error(`answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    });
    await checkProperty(property, doorParameters(1_002, 80), (v) => describeInput(v), replayHint(FILE));
    await expectAlive();
    expectUnchanged(before);
  });

  it('fuzzed signed event bodies for an unknown event store nothing', async () => {
    const before = stored();
    const body = fc.oneof(
      arbitraryFor(waitRegistrationSchema, () => undefined),
      fc.jsonValue({ maxDepth: 4 }),
      fc.constantFrom(...ODD_STRINGS),
    );
    const property = fc.asyncProperty(
      fc.tuple(body, fc.constantFrom('nobody.listens', 'x', ...ODD_STRINGS.slice(10, 20))),
      async ([value, event]) => {
        const res = await signedPost(
          `/events/${encodeURIComponent(event.replace(/[\uD800-\uDFFF]/g, '?'))}`,
          JSON.stringify(value) ?? 'null',
        );
        if (res.status < 400 || res.status >= 500)
          throw new Error(`answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      },
    );
    await checkProperty(property, doorParameters(1_003, 80), (v) => describeInput(v), replayHint(FILE));
    await expectAlive();
    expectUnchanged(before);
  });
});

describe('after everything', () => {
  it('the store is sound and the host never died', async () => {
    await expectAlive();
    const { integrity, foreignKeys } = probe.integrity();
    expect(integrity).toEqual(['ok']);
    expect(foreignKeys).toEqual([]);
    expect(deaths, 'earlier tests killed the host').toEqual([]);
  });
});
