import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { bundleChild, runChild } from '../testing/crash-child';
import { tempDir } from '../testing/test-core';
import { createSqliteJobStore } from './sqlite-job-store';

// The crash test of the durable queue. A child process queues 1,000 deliveries and works them
// against a loopback HTTP server; it is SIGKILLed mid-run; a second process restarts on the same
// file. Then every job is terminal, none is lost, a job was delivered twice only where a delivery
// happened but its completion never committed (the killed attempt's lease expired), and there is
// never a second job for one idempotency key. (The child is bundled and run by
// ../testing/crash-child.ts, as ingest-crash.test's.)

const JOBS = 1_000;
const KILL_AFTER_DELIVERIES = 300;
const work = tempDir('flightdeck-crash-');
let childScript = '';

beforeAll(async () => {
  childScript = await bundleChild(resolve(__dirname, '../testing/queue-crash.child.ts'), join(work.path, 'bundle'));
});
afterAll(() => work.remove());

interface Delivery {
  job: number;
  n: number;
  attempt: number;
  pid: number;
}

/** Counts deliveries; the first attempt of every 10th job gets a 503 to exercise retries. */
function deliveryServer(): Promise<{ server: Server; url: string; delivered: Delivery[]; refused: number[] }> {
  const delivered: Delivery[] = [];
  const refused: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const d = JSON.parse(body) as Delivery;
      if (d.n % 10 === 0 && d.attempt === 1) {
        refused.push(d.job);
        res.writeHead(503).end();
        return;
      }
      // A little latency so that the kill lands with deliveries in flight.
      setTimeout(() => {
        delivered.push(d);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, 2);
    });
  });
  return new Promise((ready) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      ready({ server, url: `http://127.0.0.1:${port}`, delivered, refused });
    }),
  );
}

it('survives a SIGKILL mid-run: all terminal, none lost, duplicates only from the killed attempts, one job per key', async () => {
  const { server, url, delivered, refused } = await deliveryServer();
  const dataDir = join(work.path, 'data');
  try {
    const first = runChild(childScript, [dataDir, url, String(JOBS)]);
    await new Promise<void>((ready, fail) => {
      const timer = setInterval(() => {
        if (delivered.length >= KILL_AFTER_DELIVERIES) {
          clearInterval(timer);
          ready();
        }
      }, 5);
      void first.exited.then((code) => fail(new Error(`the first run ended by itself (${code}): ${first.output()}`)));
    });
    await first.kill();
    const killedAt = delivered.length;
    expect(killedAt).toBeLessThan(JOBS); // it really died mid-run

    const second = runChild(childScript, [dataDir, url, String(JOBS)]);
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toContain('"queued":0'); // every key found its job

    const clock = new ManualClock();
    const store = openStore({ dataDir, bus: new EventBus(), migrations, now: () => clock.now() });
    try {
      const jobs = createSqliteJobStore({ store, clock });
      expect(jobs.counts().total).toEqual({
        waiting: 0,
        delayed: 0,
        active: 0,
        completed: JOBS,
        dead_lettered: 0,
        canceled: 0,
      });
      const perJob = new Map<number, Delivery[]>();
      for (const d of delivered) perJob.set(d.job, [...(perJob.get(d.job) ?? []), d]);
      expect(perJob.size).toBe(JOBS); // none lost
      expect(new Set(delivered.map((d) => d.n)).size).toBe(JOBS); // one job per key, each delivered

      let duplicates = 0;
      for (const [id, deliveries] of perJob) {
        const history = jobs.get(id).attempts;
        const outcome = (attempt: number) => history.find((a) => a.attempt === attempt)?.outcome;
        expect(history.filter((a) => a.outcome === 'completed')).toHaveLength(1);
        // Every delivery but the completed one belongs to an attempt the crash cut short.
        const extra = deliveries.filter((d) => outcome(d.attempt) !== 'completed');
        for (const d of extra) expect(outcome(d.attempt), `job ${id} attempt ${d.attempt}`).toBe('lease_expired');
        duplicates += extra.length;
      }
      // At most the jobs in flight at the kill (the worker's concurrency) can be delivered twice,
      // and the kill did leave claimed jobs behind for the second run to recover.
      expect(duplicates).toBeLessThanOrEqual(20);
      const cutShort = jobs
        .list({ limit: 1000 })
        .filter((j) => jobs.get(j.id).attempts.some((a) => a.outcome === 'lease_expired'));
      expect(cutShort.length).toBeGreaterThan(0);
      // The refused first attempts were recorded as failures with their status, then retried.
      const retried = [...new Set(refused)].filter((id) => jobs.get(id).attempts.some((a) => a.httpStatus === 503));
      expect(retried.length).toBeGreaterThan(JOBS / 20);
    } finally {
      store.close();
    }
  } finally {
    server.close();
  }
}, 300_000);
