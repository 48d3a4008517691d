/**
 * Shared parts of the shipped-path benches: a local stub webhook, the console started with its
 * HTTP ingest door, signed senders, the seeds' design (an HTTP receiver acknowledging after
 * BullMQ's queue.add on Redis with AOF everysec, a BullMQ worker posting to the same stub),
 * alternating rounds and the machine's load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { STORE_FILE } from '../../src/main/core/db/store';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/main/core/ingest/signature';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../../src/main/core/testing/test-core';

export const REDIS = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
export const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
export const each = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en-US')).join(', ');

/** The machine's load while a bench ran: printed beside its figures (2 cores shared by others). */
export function loadNote(): string {
  const [one, five] = loadavg();
  return `load average ${one?.toFixed(2)} (1 min), ${five?.toFixed(2)} (5 min) on ${cpus().length} cores`;
}

/** A payload of about `bytes` bytes of JSON. */
export const payloadOf = (bytes: number, i: number) => ({ i, pad: 'x'.repeat(Math.max(0, bytes - 20)) });

/** The local stub webhook: answers every POST 200 `{}` (and GET /healthz), counting posts. */
export interface Stub {
  url: string;
  posts: number;
  close(): Promise<void>;
}

export async function startStub(port = 0): Promise<Stub> {
  const stub = { posts: 0 } as Stub;
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') stub.posts += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

const ok = async <T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as T;
};

/** A console on a fresh data folder, one instance at the stub, one mapping for `event`. */
export async function startConsoleAt(
  stubUrl: string,
  options: { ingestPort?: number; event?: string } = {},
): Promise<{
  core: Core;
  dataDir: string;
  instanceId: string;
  ingestUrl: string;
  secret: string;
  close(): Promise<void>;
}> {
  const dir = tempDir('flightdeck-bench-');
  const core = createCore({
    dataDir: dir.path,
    clock: systemClock,
    ingestPort: options.ingestPort ?? 0,
    linker: { intervalMs: 3_600_000 },
  });
  const instance = await ok(
    core.call('instances:add', {
      name: 'stub',
      baseUrl: stubUrl,
      apiKey: 'bench-key-123456',
      environment: 'bench',
      color: '#2f6fed',
      syncEnabled: false,
    }),
  );
  await ok(
    core.call('mappings:create', {
      mapping: { event: options.event ?? 'bench.event', instanceId: instance.id, webhookPath: 'bench' },
    }),
  );
  const info = await ok(core.call('ingest:info', {}));
  if (!info.url) throw new Error(`The ingest door did not start: ${info.problem}`);
  return {
    core,
    dataDir: dir.path,
    instanceId: instance.id,
    ingestUrl: info.url,
    secret: loadOrCreateIngestSecret(dir.path, silentLogger),
    close: async () => {
      await core.close();
      dir.remove();
    },
  };
}

/**
 * `count` signed events from `senders` concurrent senders (each on its own keep-alive
 * connection), each waiting for its acknowledgement before sending the next.
 */
export async function sendSigned(
  url: string,
  secret: string,
  count: number,
  senders: number,
  payloadBytes: number,
): Promise<void> {
  const agents = Array.from({ length: senders }, () => new Agent({ connections: 1 }));
  let next = 0;
  try {
    await Promise.all(
      agents.map(async (dispatcher) => {
        while (next < count) {
          const i = next++;
          const body = JSON.stringify(payloadOf(payloadBytes, i));
          const t = Date.now();
          const res = await request(url, {
            method: 'POST',
            body,
            dispatcher,
            headers: {
              'content-type': 'application/json',
              [TIMESTAMP_HEADER]: String(t),
              [SIGNATURE_HEADER]: sign(secret, t, body),
            },
          });
          const text = await res.body.text();
          if (res.statusCode !== 202) throw new Error(`event ${i}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
        }
      }),
    );
  } finally {
    await Promise.all(agents.map((a) => a.close()));
  }
}

/** Waits until `count` runs are succeeded in the store (read on a connection of its own). */
export async function untilSucceeded(dataDir: string, count: number, timeoutMs = 600_000): Promise<void> {
  const db = new Database(join(dataDir, STORE_FILE), { readonly: true });
  const succeeded = db.prepare("SELECT count(*) FROM executions WHERE status = 'succeeded'").pluck();
  const deadline = Date.now() + timeoutMs;
  try {
    while ((succeeded.get() as number) < count) {
      if (Date.now() > deadline) throw new Error(`only ${String(succeeded.get())} of ${count} runs succeeded`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    db.close();
  }
}

/** Events per second end to end through the console: signed in, acknowledged, delivered, succeeded. */
export async function consoleRound(stub: Stub, count: number, senders: number, payloadBytes: number) {
  const c = await startConsoleAt(stub.url, { ingestPort: envInt('BENCH_INGEST_PORT', 0) });
  try {
    const started = performance.now();
    await sendSigned(`${c.ingestUrl}/events/bench.event`, c.secret, count, senders, payloadBytes);
    await untilSucceeded(c.dataDir, count);
    return count / ((performance.now() - started) / 1000);
  } finally {
    await c.close();
  }
}

/** Redis with AOF fsync'd every second (the same durability class as SQLite WAL, synchronous=NORMAL). */
export async function startRedis(port: number): Promise<{ port: number; stop(): Promise<void> } | { why: string }> {
  if (!existsSync(REDIS)) return { why: `redis-server not found at ${REDIS} (run scripts/ensure-redis.sh)` };
  const dir = tempDir('flightdeck-bench-redis-');
  const child: ChildProcess = spawn(
    REDIS,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir.path,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const actual = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Ready to accept connections/.exec(out);
      if (m) resolve(port);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
  });
  return {
    port: actual,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      dir.remove();
    },
  };
}

/** A free loopback port (for redis-server, which cannot pick one itself). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/**
 * The seeds' design: an HTTP receiver verifying the same HMAC and acknowledging 202 after
 * BullMQ's queue.add, and a BullMQ worker posting each job to the stub. Events per second end to
 * end (the last job completed).
 */
export async function bullmqRound(
  redisPort: number,
  stub: Stub,
  count: number,
  senders: number,
  payloadBytes: number,
  round: string,
  dispatchConcurrency: number,
): Promise<number> {
  const { Queue, Worker } = await import('bullmq');
  const connection = { host: '127.0.0.1', port: redisPort };
  const name = `bench-${round}`;
  const queue = new Queue(name, { connection });
  const secret = 'bench-secret-for-the-seeds-design';
  const post = new Agent({ connections: dispatchConcurrency });
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifySignature(
        secret,
        {
          signature: String(req.headers[SIGNATURE_HEADER] ?? ''),
          timestamp: String(req.headers[TIMESTAMP_HEADER] ?? ''),
          idempotencyKey: undefined,
        },
        raw,
        Date.now(),
      );
      if (!check.ok) return void res.writeHead(401).end();
      queue.add('event', JSON.parse(raw.toString('utf8')) as unknown, { removeOnComplete: false }).then(
        (job) =>
          res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, id: job.id })),
        () => res.writeHead(503).end(),
      );
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  let completed = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const worker = new Worker(
    name,
    async (job) => {
      const res = await request(`${stub.url}/webhook/bench`, {
        method: 'POST',
        body: JSON.stringify(job.data),
        headers: { 'content-type': 'application/json' },
        dispatcher: post,
      });
      await res.body.text();
      if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
    },
    { connection, concurrency: dispatchConcurrency },
  );
  worker.on('completed', () => {
    if (++completed === count) allDone();
  });
  try {
    const started = performance.now();
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events/bench.event`;
    await sendSigned(url, secret, count, senders, payloadBytes);
    await done;
    return count / ((performance.now() - started) / 1000);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await post.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
}
