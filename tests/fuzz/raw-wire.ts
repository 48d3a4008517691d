import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * Raw bytes on a TCP socket: what no well-behaved client library would send (broken request
 * lines, bad chunked bodies, malformed WebSocket frames). Every wait here ends on an event (an
 * answer, a close) or a generous timeout, never on a fixed sleep.
 */

export interface RawAnswer {
  /** The HTTP status of the first answer, or null when the socket closed without one. */
  status: number | null;
  /** What came back (bounded). */
  text: string;
  /** The connection closed (by either side) before the timeout. */
  closed: boolean;
}

const statusOf = (text: string): number | null => {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : null;
};

/**
 * Sends `bytes` and collects the answer. A server that says nothing for `quietMs` is told there
 * is no more to come (a half-close), so one waiting for the rest of a body answers or closes.
 * The half-close is not sent at once: some servers take a client's end of stream as "gone" and
 * drop the answer they were about to write.
 */
export function rawRequest(
  port: number,
  bytes: Buffer | string,
  options: { quietMs?: number; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      clearTimeout(idle);
      socket.destroy();
      resolve({ status: statusOf(text), text, closed });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 15_000);
    let quiet: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => {
      clearTimeout(quiet);
      if (text.length < 64_000) text += chunk.toString('latin1');
      // An answer has started: take what follows until the line goes quiet (keep-alive never closes).
      clearTimeout(idle);
      idle = setTimeout(() => finish(false), 300);
    });
    // A reset is a closed socket too: the server refused to go on.
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        quiet = setTimeout(() => socket.end(), options.quietMs ?? 2_000);
      });
    });
  });
}

// ---- WebSocket --------------------------------------------------------------------------------

export interface WsFrameOptions {
  fin?: boolean;
  /** RSV1..3 as a 3-bit number. */
  rsv?: number;
  /** Clients must mask; false sends an unmasked frame (a protocol error). */
  mask?: boolean;
  /** Announce this payload length instead of the real one. */
  claimLength?: bigint | number;
}

/** One WebSocket frame, as a client would write it (RFC 6455 §5.2). */
export function wsFrame(opcode: number, payload: Buffer | string, options: WsFrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const fin = options.fin ?? true;
  const masked = options.mask ?? true;
  const length = BigInt(options.claimLength ?? data.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65_536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(length);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), ext, data]);
  const key = randomBytes(4);
  const body = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) body[i] = data[i]! ^ key[i % 4]!;
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Reads the server's (unmasked) frames out of a byte stream. */
function readFrames(buffer: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const b1 = buffer[offset + 1]!;
    let length = b1 & 0x7f;
    let at = offset + 2;
    if (length === 126) {
      if (buffer.length - at < 2) break;
      length = buffer.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (buffer.length - at < 8) break;
      length = Number(buffer.readBigUInt64BE(at));
      at += 8;
    }
    if (buffer.length - at < length) break;
    frames.push({ opcode: buffer[offset]! & 0x0f, payload: buffer.subarray(at, at + length) });
    offset = at + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

export interface WsOutcome {
  /** The handshake's HTTP status (101 when upgraded). */
  status: number | null;
  /** Text frames the server sent back, parsed as JSON where they are JSON. */
  messages: unknown[];
  /** The close code the server sent, when it sent a close frame. */
  closeCode: number | null;
  /** The connection closed before the timeout. */
  closed: boolean;
}

export interface WsHandshake {
  protocols?: string[];
  origin?: string;
  headers?: Record<string, string>;
  path?: string;
}

/**
 * Opens a WebSocket by hand (so anything can follow the handshake), writes `frames` once it is
 * upgraded, and waits until the server has answered `expectMessages` text frames, or closed.
 */
export function wsSession(
  port: number,
  handshake: WsHandshake,
  frames: Buffer[],
  options: { expectMessages?: number; timeoutMs?: number } = {},
): Promise<WsOutcome> {
  const expectMessages = options.expectMessages ?? 1;
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let head = Buffer.alloc(0);
    let upgraded = false;
    let status: number | null = null;
    let pending = Buffer.alloc(0);
    const messages: unknown[] = [];
    let closeCode: number | null = null;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, messages, closeCode, closed });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 15_000);
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      const lines = [
        `GET ${handshake.path ?? '/api'} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...(handshake.protocols ? [`Sec-WebSocket-Protocol: ${handshake.protocols.join(', ')}`] : []),
        ...(handshake.origin ? [`Origin: ${handshake.origin}`] : []),
        ...Object.entries(handshake.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
    const onFrames = () => {
      const { frames: got, rest } = readFrames(pending);
      pending = Buffer.from(rest);
      for (const frame of got) {
        if (frame.opcode === 0x8) {
          closeCode = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
          return finish(true);
        }
        if (frame.opcode === 0x1) {
          const text = frame.payload.toString('utf8');
          try {
            const message = JSON.parse(text) as { type?: string };
            // Events (another window's changes) are not answers to what this session sent.
            if (message.type === 'event') continue;
            messages.push(message);
          } catch {
            messages.push(text);
          }
        }
      }
      if (messages.length >= expectMessages) finish(false);
    };
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = statusOf(head.toString('latin1'));
        if (status !== 101) return finish(false);
        upgraded = true;
        pending = head.subarray(end + 4);
        for (const frame of frames) socket.write(frame);
        if (frames.length === 0) return finish(false);
        onFrames();
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      onFrames();
    });
  });
}

/** The frame of one contract call, as the console's own client sends it. */
export const callFrame = (id: number, channel: string, input: unknown) =>
  wsFrame(0x1, JSON.stringify({ type: 'call', id, channel, input }));
