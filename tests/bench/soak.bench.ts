import { statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { migrations } from '../../src/main/core/db/migrations';
import { openStore, STORE_FILE } from '../../src/main/core/db/store';
import { createExecutionsWriter } from '../../src/main/core/dispatch/executions-writer';
import { EventBus } from '../../src/main/core/events';
import { createMonitoringLog } from '../../src/main/core/metrics/monitoring-log';
import { createRetention } from '../../src/main/core/metrics/retention';
import { createQueueRetention } from '../../src/main/core/queue/queue-retention';
import { createSqliteJobStore } from '../../src/main/core/queue/sqlite-job-store';
import { ManualClock } from '../../src/main/core/testing/manual-clock';
import { tempDir } from '../../src/main/core/testing/test-core';
import { envInt, loadNote, payloadOf } from './pipeline-kit';

// Bounded storage: BENCH_SOAK_RUNS runs (default 200 000; the 1M takes about five times
// as long here — set BENCH_SOAK_RUNS=1000000) spread over BENCH_SOAK_DAYS simulated days (default
// 10) with 1-day retention. Each run takes the store's own path: run row (200 B payload and its
// request), job and payload, claim, start, outcome and completion, in batches of 50; the hourly
// retention of executions (metrics) and of finished jobs (queue) runs as in the app. The file
// size is printed after each day: flat once the first day has passed means storage is bounded.

const RUNS = envInt('BENCH_SOAK_RUNS', 200_000);
const DAYS = envInt('BENCH_SOAK_DAYS', 10);
const HOUR = 3_600_000;

it('soak with 1-day retention: the file stays flat', () => {
  const dir = tempDir('flightdeck-bench-soak-');
  const clock = new ManualClock();
  clock.set(Date.UTC(2026, 0, 1));
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => clock.now() });
  const jobs = createSqliteJobStore({ store, clock });
  const executions = createExecutionsWriter(store);
  const executionsRetention = createRetention(
    store,
    createMonitoringLog(store, () => clock.now()),
  );
  const queueRetention = createQueueRetention(store, jobs);
  const size = () => {
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    return statSync(join(dir.path, STORE_FILE)).size;
  };
  const perHour = Math.ceil(RUNS / (DAYS * 24));
  const lines: string[] = [];
  const started = performance.now();
  let done = 0;
  for (let hour = 0; hour < DAYS * 24 && done < RUNS; hour++) {
    for (let n = 0; n < perHour && done < RUNS; n += 50) {
      const batch = Math.min(50, perHour - n, RUNS - done);
      const now = clock.now();
      store.write(() => {
        for (let i = 0; i < batch; i++) {
          const payload = payloadOf(200, done + i);
          const id = executions.nextId();
          const { job } = jobs.enqueue({ instanceId: 'i', mappingId: 'm', executionId: id, payload });
          executions.insert({
            id,
            instanceId: 'i',
            workflowId: 'w',
            mappingId: 'm',
            event: 'soak',
            status: 'queued',
            payload,
            request: { body: payload },
            jobId: job.id,
            idempotencyKey: null,
            sourceKind: 'http',
            nowMs: now,
          });
        }
      });
      store.write(() => {
        const claimed = jobs.claim({ limit: batch, leaseMs: 60_000 });
        for (const j of claimed) executions.markDispatching(j.executionId!, now);
        jobs.completeMany(claimed.map((j) => ({ id: j.id, leaseToken: j.leaseToken, httpStatus: 200 })));
        for (const j of claimed)
          executions.markOutcome(
            j.executionId!,
            { status: 'succeeded', terminal: true, httpStatus: 200, body: '{}' },
            now,
          );
      });
      done += batch;
    }
    clock.advance(HOUR);
    executionsRetention.run(clock.now(), 1);
    queueRetention.run(clock.now(), 1);
    if ((hour + 1) % 24 === 0) {
      const line = `day ${(hour + 1) / 24}: ${done.toLocaleString('en-US')} runs, file ${(size() / 1e6).toFixed(1)} MB, ${(
        done /
        ((performance.now() - started) / 1000)
      ).toFixed(0)} runs/s`;
      lines.push(line);
      console.log(line);
    }
  }
  const rows = store.db
    .prepare('SELECT (SELECT count(*) FROM executions) AS runs, (SELECT count(*) FROM jobs) AS jobs')
    .get();
  console.log(
    `\n== Soak: ${RUNS.toLocaleString('en-US')} runs over ${DAYS} days, 1-day retention ==\n${lines.join('\n')}`,
  );
  console.log(`kept at the end: ${JSON.stringify(rows)}; ${loadNote()}`);
  store.close();
  dir.remove();
});
