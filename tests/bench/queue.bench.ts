import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { migrations } from '../../src/main/core/db/migrations';
import { openStore } from '../../src/main/core/db/store';
import { EventBus } from '../../src/main/core/events';
import { createCommitQueue } from '../../src/main/core/db/commit-queue';
import { createSqliteJobStore } from '../../src/main/core/queue/sqlite-job-store';
import { createWorker } from '../../src/main/core/queue/worker';
import { tempDir } from '../../src/main/core/testing/test-core';
import { report, type Measurement } from './report';

// Bench (a): durable enqueue → claim → complete, end to end, 50 producers and 50 in flight, on
// the same machine in the same run: our SQLite queue (WAL, synchronous=NORMAL: a commit survives
// a process crash, the last moments may not survive a power cut) against BullMQ on Redis with
// AOF fsync'd every second (the same durability class).

const JOBS = 20_000;
const WARMUP = 2_000;
const ROUNDS = 3;
const CONCURRENCY = 50;
const REDIS = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `count` producers' worth of `add` calls, `CONCURRENCY` at a time. */
async function produce(count: number, add: (i: number) => unknown): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        await add(next++);
        await yieldToLoop(); // a real producer (HTTP ingest) lets the loop turn between events
      }
    }),
  );
}

async function sqliteJobsPerSecond(count: number): Promise<number> {
  const dir = tempDir('flightdeck-bench-queue-');
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => Date.now() });
  const jobs = createSqliteJobStore({ store, clock: systemClock });
  let handled = 0;
  let allHandled!: () => void;
  const done = new Promise<void>((resolve) => (allHandled = resolve));
  const worker = createWorker({
    store: jobs,
    concurrency: CONCURRENCY,
    handler: async () => {
      if (++handled === count) allHandled();
    },
  });
  const started = performance.now();
  worker.start();
  // Each producer awaits its own durable ack; acks of the same turn share one commit (the
  // group commit the ingest doors use).
  const commits = createCommitQueue(store);
  await produce(count, (i) =>
    commits.run(() => jobs.enqueue({ instanceId: 'bench', mappingId: 'bench', payload: { i } })),
  );
  await done;
  await worker.stop(); // flushes the last completions: every job is committed as completed
  const seconds = (performance.now() - started) / 1000;
  const completed = jobs.counts().total.completed;
  store.close();
  dir.remove();
  if (completed !== count) throw new Error(`SQLite bench completed ${completed} of ${count} jobs`);
  return count / seconds;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

async function startRedis(dir: string): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    REDIS,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
  });
  return { port, process: child };
}

/**
 * BullMQ needs a Redis client, which is only an optional peer of bullmq and not a dependency of
 * this project. The n8n install (scripts/install-n8n.sh) ships ioredis; use it when present.
 */
function loadIORedis(): { ctor: new (opts: object) => unknown } | { why: string } {
  const candidates = [process.cwd(), join(homedir(), '.cache/flightdeck/n8n-1.123.81')];
  for (const base of candidates) {
    try {
      const mod = createRequire(join(base, 'package.json'))('ioredis') as { default?: unknown };
      return { ctor: (mod.default ?? mod) as new (opts: object) => unknown };
    } catch {
      // Not installed under this base; try the next.
    }
  }
  return { why: 'no ioredis found (BullMQ’s Redis client): run scripts/install-n8n.sh or npm i -D ioredis' };
}

async function bullmqJobsPerSecond(port: number, count: number, name: string): Promise<number> {
  const { Queue, Worker, RedisConnection, createIORedisClient } = await import('bullmq');
  const loaded = loadIORedis();
  if ('why' in loaded) throw new Error(loaded.why);
  RedisConnection.clientFactory = (opts) => createIORedisClient(new loaded.ctor(opts) as never);
  const connection = { host: '127.0.0.1', port };
  const queue = new Queue(name, { connection });
  let handled = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const started = performance.now();
  const worker = new Worker(name, async () => {}, { connection, concurrency: CONCURRENCY });
  worker.on('completed', () => {
    if (++handled === count) allDone();
  });
  await produce(count, (i) => queue.add('bench', { i }));
  await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.close();
  return count / seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

it('queue throughput: SQLite job store vs BullMQ on Redis (AOF everysec)', async () => {
  const loaded = loadIORedis();
  let why: string | undefined;
  if (!existsSync(REDIS)) why = `redis-server not found at ${REDIS} (apt-get install redis-server)`;
  else if ('why' in loaded) why = loaded.why;
  const dir = tempDir('flightdeck-bench-redis-');
  const redis = why ? undefined : await startRedis(dir.path);
  // Alternating rounds, median of each side: load from other processes on the machine then
  // weighs on both sides alike.
  const sqlite: number[] = [];
  const bullmq: number[] = [];
  try {
    await sqliteJobsPerSecond(WARMUP);
    if (redis) await bullmqJobsPerSecond(redis.port, WARMUP, 'warmup');
    for (let round = 0; round < ROUNDS; round++) {
      sqlite.push(await sqliteJobsPerSecond(JOBS));
      if (redis) bullmq.push(await bullmqJobsPerSecond(redis.port, JOBS, `bench-${round}`));
    }
  } finally {
    if (redis) {
      redis.process.kill('SIGTERM');
      await new Promise((resolve) => redis.process.once('exit', resolve));
    }
    dir.remove();
  }
  const base = bullmq.length ? median(bullmq) : undefined;
  const rows: Measurement[] = [
    { name: `BullMQ + Redis AOF everysec (${CONCURRENCY} in flight)`, value: base ?? NaN, unit: 'jobs/s' },
    {
      name: `SQLite WAL job store (${CONCURRENCY} in flight)`,
      value: median(sqlite),
      unit: 'jobs/s',
      ...(base !== undefined ? { baseline: { name: 'BullMQ', value: base }, goal: '≥ 2' } : {}),
    },
  ];
  if (why) console.log(`BullMQ not measured: ${why}`);
  const each = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en-US')).join(', ');
  console.log(`rounds (jobs/s) — SQLite: ${each(sqlite)}; BullMQ: ${each(bullmq) || 'n/a'}`);
  report(
    `Queue: durable enqueue + claim + complete, ${JOBS.toLocaleString('en-US')} jobs end to end, median of ${ROUNDS}`,
    rows,
  );
});
