/**
 * Tiny HTTP servers on 127.0.0.1 that answer badly on purpose: a huge answer streamed in chunks
 * (never allocated at once) and an answer that trickles a byte at a time. They count what they
 * managed to send, so a test can show the client stopped reading early without looking at heap
 * numbers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnswerServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** Requests received. */
  readonly requests: number;
  /** Body bytes the server handed to its socket (and the socket accepted), across all requests. */
  readonly sentBytes: number;
  /** Answers that ended before all their bytes were sent (the client closed the connection). */
  readonly cutShort: number;
  close(): Promise<void>;
}

type Answer = (
  req: IncomingMessage,
  res: ServerResponse,
  count: { sent(bytes: number): void; cutShort(): void },
) => void;

async function serve(answer: Answer): Promise<AnswerServer> {
  let requests = 0;
  let sentBytes = 0;
  let cutShort = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume(); // the request body is not looked at
    answer(req, res, { sent: (n) => void (sentBytes += n), cutShort: () => void cutShort++ });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get sentBytes() {
      return sentBytes;
    },
    get cutShort() {
      return cutShort;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers every request with `status` and `totalBytes` of `fill` (repeated), written in 64 KiB
 * chunks as the socket drains: at most a few chunks are ever in memory. `declareLength` sends
 * Content-Length; otherwise the answer is chunked.
 */
export function startHugeAnswerServer(options: {
  totalBytes: number;
  status?: number;
  contentType?: string;
  declareLength?: boolean;
  /** The first bytes of the answer (e.g. the start of a JSON document); the rest is `fill`. */
  head?: string;
  fill?: string;
}): Promise<AnswerServer> {
  const chunkSize = 64 * 1024;
  const fill = Buffer.alloc(chunkSize, options.fill ?? 'x');
  const head = Buffer.from(options.head ?? '');
  return serve((_req, res, count) => {
    res.writeHead(options.status ?? 200, {
      'content-type': options.contentType ?? 'application/json',
      ...(options.declareLength ? { 'content-length': String(options.totalBytes) } : {}),
    });
    let left = options.totalBytes;
    let finished = false;
    res.on('close', () => {
      if (!finished) count.cutShort();
    });
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const first = left === options.totalBytes && head.length > 0;
        const piece = first ? head : fill.subarray(0, Math.min(chunkSize, left));
        left -= piece.length;
        const size = piece.length;
        const more = res.write(piece, (error) => {
          if (!error) count.sent(size);
        });
        if (!more) {
          res.once('drain', pump);
          return;
        }
      }
      if (left <= 0 && !res.destroyed) {
        finished = true;
        res.end();
      }
    };
    pump();
  });
}

/**
 * Answers 200 with a JSON-looking body that never ends: one byte every `everyMs` (default a
 * second), so no idle timeout ever fires. Stops when the client goes away or the server closes.
 */
export function startTrickleServer(options: { everyMs?: number } = {}): Promise<AnswerServer> {
  return serve((_req, res, count) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{', () => count.sent(1));
    const timer = setInterval(() => {
      if (res.destroyed) return;
      res.write(' ', (error) => {
        if (!error) count.sent(1);
      });
    }, options.everyMs ?? 1_000);
    res.on('close', () => {
      clearInterval(timer);
      count.cutShort();
    });
  });
}

/** Awaits a server and queues its close on `cleanups` (the test file's afterEach list). */
export async function closedAfter(cleanups: (() => unknown)[], server: Promise<AnswerServer>): Promise<AnswerServer> {
  const s = await server;
  cleanups.push(() => s.close());
  return s;
}
