/**
 * The process the crash test kills: it queues 1,000 deliveries (idempotency key per job) and
 * works them, POSTing each to the test's loopback server. Bundled by the test with Vite (the
 * same transform the app's build uses) and run with plain `node`.
 *
 * argv: <dataDir> <serverUrl> <jobCount>
 */
import { systemClock } from '../clock';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { httpFailure } from '../queue/backoff';
import type { EnqueueInput } from '../queue/job-store';
import { createSqliteJobStore } from '../queue/sqlite-job-store';
import { createWorker } from '../queue/worker';

async function main(): Promise<void> {
  const [dataDir, serverUrl, countText] = process.argv.slice(2);
  if (!dataDir || !serverUrl || !countText) throw new Error('usage: <dataDir> <serverUrl> <jobCount>');
  const store = openStore({ dataDir, bus: new EventBus(), migrations, now: () => Date.now() });
  const jobs = createSqliteJobStore({ store, clock: systemClock });

  // Both runs enqueue every job under its key, as a producer retrying after a crash would:
  // the second run must find the first run's jobs, never add new ones.
  const inputs: EnqueueInput[] = Array.from({ length: Number(countText) }, (_, i) => ({
    instanceId: 'crash',
    mappingId: 'crash',
    payload: { n: i },
    idempotencyKey: `delivery-${i}`,
    maxAttempts: 10,
    backoff: { type: 'fixed', delayMs: 20 },
  }));
  const results = jobs.enqueueMany(inputs);
  console.log(JSON.stringify({ pid: process.pid, queued: results.filter((r) => !r.deduplicated).length }));

  const worker = createWorker({
    store: jobs,
    concurrency: 20,
    // Long enough that a starved event loop on a busy machine still renews it in time: only the
    // kill, not the load, may cut attempts short (the test bounds duplicates by the concurrency).
    leaseMs: 5_000,
    idlePollMs: 50,
    handler: async (job) => {
      const response = await fetch(`${serverUrl}/deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          job: job.id,
          n: (job.payload as { n: number }).n,
          attempt: job.attempt,
          pid: process.pid,
        }),
      });
      await response.arrayBuffer();
      if (!response.ok) throw httpFailure(response.status, response.headers.get('retry-after'), Date.now());
      return { httpStatus: response.status };
    },
  });
  worker.start();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { total } = jobs.counts();
    if (total.waiting + total.delayed + total.active === 0) break;
  }
  await worker.stop();
  console.log(JSON.stringify({ pid: process.pid, done: jobs.counts().total }));
  store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
