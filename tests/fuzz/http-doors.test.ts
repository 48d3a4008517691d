import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeInput } from './contract-world';
import { doorParameters, expectRefused, H, useDoorWorld } from './door-world';
import { checkProperty, replayHint } from './fuzz-config';
import { deepJson, ODD_STRINGS } from './hostile';
import { callFrame, rawRequest, wsFrame, wsSession, type WsOutcome } from './raw-wire';

/**
 * The console's own port, tried as a hostile neighbour would: raw malformed HTTP (request lines,
 * headers, chunked bodies), WebSocket handshakes on /api without a valid token, and bad frames from
 * a client that has the token. After each: a 4xx or a closed socket, the host still up, nothing stored.
 */

const FILE = 'tests/fuzz/http-doors.test.ts';
const w = useDoorWorld(FILE);

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
      const before = w.stored();
      expectRefused(name, await rawRequest(w.host.port, bytes));
      await w.expectAlive();
      w.expectUnchanged(before);
    });
  }

  it('odd but well-formed requests get no 5xx and never a file outside the app', async () => {
    const before = w.stored();
    const problems: string[] = [];
    for (const [name, bytes] of ODD_REQUESTS) {
      const answer = await rawRequest(w.host.port, bytes);
      if (answer.status !== null && answer.status >= 500) problems.push(`${name}: ${answer.status}`);
      if (/root:.*:0:0:|SQLite format 3/.test(answer.text)) problems.push(`${name}: served a file outside the app`);
      if (!(await w.hostResponds())) {
        problems.push(`${name}: the host exited`);
        break;
      }
    }
    expect(problems).toEqual([]);
    await w.expectAlive();
    w.expectUnchanged(before);
  });

  it('fuzzed request lines and headers', async () => {
    const before = w.stored();
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
      const answer = await rawRequest(w.host.port, Buffer.from(head, 'utf8'));
      if (answer.status !== null && answer.status >= 500)
        throw new Error(`answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      if (w.host.exit()) throw new Error(`the host exited: ${w.host.output().slice(-1_500)}`);
    });
    await checkProperty(property, doorParameters(1_000, 150), (r) => describeInput(r), replayHint(FILE));
    await w.expectAlive();
    w.expectUnchanged(before);
  });
});

// ---- WebSocket /api -----------------------------------------------------------------------------

const withToken = () => ({ protocols: ['flightdeck.v1', `token.${w.host.token}`] });

/** Refused handshakes: anything but 101, and the host stays up. */
describe('WebSocket handshakes without a valid token are refused', () => {
  const cases: [string, () => Parameters<typeof wsSession>[1]][] = [
    ['no token', () => ({ protocols: ['flightdeck.v1'] })],
    ['no sub-protocol at all', () => ({})],
    ['a wrong token', () => ({ protocols: ['flightdeck.v1', 'token.wrong'] })],
    [
      'the token with one character changed',
      // Changed for real: a token that already ends in '0' gets a '1' (else, now and then, the
      // "changed" token was the token itself).
      () => ({
        protocols: ['flightdeck.v1', `token.${w.host.token.slice(0, -1)}${w.host.token.endsWith('0') ? '1' : '0'}`],
      }),
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
      const before = w.stored();
      // Frames follow at once, as a client that does not wait for the answer would send them.
      const outcome = await wsSession(w.host.port, handshake(), [callFrame(1, 'app:status', {})]);
      expect(outcome.status, name).not.toBe(101);
      expect(outcome.messages).toEqual([]);
      await w.expectAlive();
      w.expectUnchanged(before);
    });
  }

  it('frames sent without any handshake are not taken as calls', async () => {
    const before = w.stored();
    const frames = Buffer.concat([
      callFrame(1, 'ingest:emit', { event: 'order.created', payload: {} }),
      callFrame(2, 'app:status', {}),
    ]);
    expectRefused('raw frames', await rawRequest(w.host.port, frames));
    await w.expectAlive();
    w.expectUnchanged(before);
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
      const before = w.stored();
      const outcome = await wsSession(w.host.port, withToken(), frames());
      expectFrameRefused(name, outcome);
      await w.expectAlive();
      w.expectUnchanged(before);
    });
  }

  it('fuzzed frames (random opcodes, bits, lengths and payloads)', async () => {
    const before = w.stored();
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
      const outcome = await wsSession(w.host.port, withToken(), bytes, { timeoutMs: 3_000 });
      const internal = outcome.messages.find(
        (m) => (m as { result?: { error?: { code?: string } } }).result?.error?.code === 'INTERNAL',
      );
      if (internal) throw new Error(`INTERNAL: ${describeInput(internal)}`);
      if (!(await w.hostResponds())) throw new Error(`the host exited: ${w.host.output().slice(-1_500)}`);
    });
    await checkProperty(property, doorParameters(1_001, 60), (f) => describeInput(f), replayHint(FILE));
    await w.expectAlive();
    w.expectUnchanged(before);
  });
});

describe('after everything', () => {
  it('the store is sound and the host never died', async () => {
    await w.expectSoundEnd();
  });
});
