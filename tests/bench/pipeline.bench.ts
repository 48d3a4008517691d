import { it } from 'vitest';
import {
  bullmqRound,
  consoleRound,
  each,
  envInt,
  freePort,
  loadNote,
  median,
  startRedis,
  startStub,
} from './pipeline-kit';
import { report, type Measurement } from './report';

// (a) The shipped path end to end: signed events through the HTTP ingest door (acknowledged once
// committed), queued, posted to a local stub webhook, recorded as succeeded — against the seeds'
// design on the same machine in the same run (HTTP receiver → BullMQ queue.add on Redis AOF
// everysec → BullMQ worker → the same stub). Alternating rounds, median of each side.
// BENCH_E2E_EVENTS (default 5 000), BENCH_ROUNDS (default 5), BENCH_STUB_PORT, BENCH_INGEST_PORT,
// BENCH_REDIS_PORT pin the sizes and ports.

const EVENTS = envInt('BENCH_E2E_EVENTS', 5_000);
const ROUNDS = envInt('BENCH_ROUNDS', 5);
const SENDERS = 50;
/** The dispatcher's default webhook calls in flight; the BullMQ worker gets the same. */
const DISPATCH_CONCURRENCY = 16;

it('end to end through the HTTP ingest door vs the seeds’ BullMQ pipeline, 200 B and 10 KB', async () => {
  const stub = await startStub(envInt('BENCH_STUB_PORT', 0));
  const redis = await startRedis(envInt('BENCH_REDIS_PORT', 0) || (await freePort()));
  const loadBefore = loadNote();
  const rows: Measurement[] = [];
  try {
    for (const bytes of [200, 10_240]) {
      const ours: number[] = [];
      const theirs: number[] = [];
      // Warm-up of both sides (JIT, connection pools), not counted.
      await consoleRound(stub, Math.min(1_000, EVENTS), SENDERS, bytes);
      if (!('why' in redis))
        await bullmqRound(
          redis.port,
          stub,
          Math.min(1_000, EVENTS),
          SENDERS,
          bytes,
          `warm-${bytes}`,
          DISPATCH_CONCURRENCY,
        );
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so drift in the machine's load weighs on both alike.
        const consoleFirst = round % 2 === 0;
        const runBull = async () => {
          if ('why' in redis) return;
          theirs.push(
            await bullmqRound(redis.port, stub, EVENTS, SENDERS, bytes, `${bytes}-${round}`, DISPATCH_CONCURRENCY),
          );
        };
        if (!consoleFirst) await runBull();
        ours.push(await consoleRound(stub, EVENTS, SENDERS, bytes));
        if (consoleFirst) await runBull();
      }
      const base = theirs.length ? median(theirs) : undefined;
      const label = bytes === 200 ? '200 B' : '10 KB';
      console.log(`${label} rounds (events/s) — console: ${each(ours)}; BullMQ: ${each(theirs) || 'n/a'}`);
      rows.push(
        { name: `seeds' design, BullMQ + Redis AOF everysec, ${label}`, value: base ?? NaN, unit: 'events/s' },
        {
          name: `console, HTTP door → stub, ${label}`,
          value: median(ours),
          unit: 'events/s',
          ...(base !== undefined ? { baseline: { name: 'BullMQ', value: base }, goal: '≥ 2' } : {}),
        },
      );
    }
  } finally {
    if (!('why' in redis)) await redis.stop();
    await stub.close();
  }
  if ('why' in redis) console.log(`BullMQ baseline not measured: ${redis.why}`);
  console.log(`before: ${loadBefore}; after: ${loadNote()}`);
  report(
    `Shipped path, ${EVENTS.toLocaleString('en-US')} signed events from ${SENDERS} senders, end to end, median of ${ROUNDS} alternating rounds`,
    rows,
  );
});
