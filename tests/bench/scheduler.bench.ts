import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { it } from 'vitest';
import { Cron } from 'croner';
import type { ScheduleDraftInput } from '../../src/shared/contract';
import { ManualClock, openScheduler } from '../../src/main/core/testing/scheduler-kit';
import { tempDir } from '../../src/main/core/testing/test-core';
import type { Emit } from '../../src/main/core/ports';
import { percentile, report } from './report';

// Heap deltas mean something only after a full collection; expose gc without a CLI flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SCHEDULES = 10_000;
const MINUTES = 30;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC', 'Australia/Sydney'];

/** A realistic mix: hourly at a random minute, every 5 minutes, every minute, every 10 minutes. */
function timingFor(i: number): ScheduleDraftInput['timing'] {
  const timeZone = ZONES[i % ZONES.length] ?? 'UTC';
  const r = i % 10;
  if (r < 4) return { kind: 'cron', expression: `${i % 60} * * * *`, timeZone };
  if (r < 7) return { kind: 'cron', expression: '*/5 * * * *', timeZone };
  if (r < 9) return { kind: 'cron', expression: '* * * * *', timeZone };
  return { kind: 'interval', everyMs: 600_000, anchorMs: 0, timeZone };
}

// 10,000 active schedules evaluated on the scheduler's 1-second timer for 30 simulated minutes,
// against the bare croner nextRun computation the same schedules need over the same period.
it('scheduler: 10,000 active schedules, cost per simulated minute and memory', () => {
  const dir = tempDir('flightdeck-bench-');
  const start = Date.parse('2026-06-01T10:00:00.500Z');
  const clock = new ManualClock(start);
  let emitted = 0;
  const countingEmit: Emit = () => ({ executionIds: [++emitted], deduplicated: false });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const s = openScheduler(dir.path, clock, { emit: () => countingEmit, isRunActive: () => false });

  const createStarted = performance.now();
  for (let i = 0; i < SCHEDULES; i++) {
    s.create({ name: `bench ${i}`, event: 'bench.tick', payload: { i }, timing: timingFor(i), overlap: 'skip' });
  }
  const createMs = performance.now() - createStarted;

  let ticks = 0;
  const batchMs: number[] = [];
  const evalStarted = performance.now();
  for (let second = 0; second < MINUTES * 60; second++) {
    clock.advance(1000);
    // As the module's timer does: batches of 200 schedules until none is due.
    for (let full = true; full;) {
      const callStarted = performance.now();
      const batch = s.engine.runDueBatch(clock.now(), 200);
      if (batch.ticks.length > 0) batchMs.push(performance.now() - callStarted);
      ticks += batch.ticks.length;
      full = batch.full;
    }
    s.events.length = 0; // the test harness keeps events; the core does not
  }
  const perMinute = (performance.now() - evalStarted) / MINUTES;
  gc();
  const heapDelta = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

  const listStarted = performance.now();
  const listed = s.service.list().schedules.length;
  const listMs = performance.now() - listStarted;

  // Baseline: only the croner work — the next run of every tick those schedules had.
  const crons = Array.from({ length: SCHEDULES }, (_, i) => {
    const t = timingFor(i);
    return t.kind === 'cron' ? new Cron(t.expression, { timezone: t.timeZone, paused: true }) : null;
  });
  const baseStarted = performance.now();
  let baseTicks = 0;
  const end = new Date(start + MINUTES * 60_000);
  for (const cron of crons) {
    if (!cron) continue;
    let at: Date | null = new Date(start);
    while ((at = cron.nextRun(at)) && at <= end) baseTicks++;
  }
  const basePerMinute = (performance.now() - baseStarted) / MINUTES;

  report(`Scheduler: ${SCHEDULES.toLocaleString('en-US')} active schedules, ${MINUTES} simulated minutes, 1 s timer`, [
    { name: 'ticks fired (ledger rows + emits)', value: ticks, unit: 'ticks' },
    { name: 'croner nextRun only (same cron schedules)', value: basePerMinute, unit: 'ms/min' },
    {
      name: 'runDue: evaluate, record, emit',
      value: perMinute,
      unit: 'ms/min',
      baseline: { name: 'croner nextRun only', value: basePerMinute },
    },
    { name: 'batch of up to 200 schedules, p50 (loop held)', value: percentile(batchMs, 50), unit: 'ms' },
    { name: 'batch of up to 200 schedules, p99', value: percentile(batchMs, 99), unit: 'ms' },
    { name: 'batch of up to 200 schedules, max', value: Math.max(...batchMs), unit: 'ms' },
    { name: 'cost per fired tick', value: (perMinute * MINUTES) / Math.max(1, ticks), unit: 'ms' },
    { name: 'create 10,000 schedules (each audited)', value: createMs, unit: 'ms' },
    { name: `schedules:list of ${listed.toLocaleString('en-US')} (with last ticks)`, value: listMs, unit: 'ms' },
    { name: 'heap delta after GC (statements, caches)', value: heapDelta, unit: 'MB' },
  ]);
  if (emitted !== ticks || baseTicks === 0) throw new Error(`bench sanity: emitted ${emitted}, ticks ${ticks}`);
  s.close();
  dir.remove();
});
