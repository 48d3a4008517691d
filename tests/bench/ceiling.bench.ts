import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { it } from 'vitest';
import { tempDir } from '../../src/main/core/testing/test-core';
import { each, envInt, loadNote, median, payloadOf, startConsoleAt, startStub, untilSucceeded } from './pipeline-kit';
import { report, type Measurement } from './report';

// (b) The console's dispatch ceiling: runs queued through the contract (ingest:emit, group
// committed) while the instance is paused, then released at once and timed until every run is
// recorded succeeded at the local stub — against posting the same bodies straight to the stub at
// the same concurrency (16). (d) The physical limit: a plain better-sqlite3 loop doing the same
// durable writes per run (run row with payload, job and payload rows, claim, start, outcome and
// completion) in transactions of 50, WAL and synchronous=NORMAL as the store. Alternating rounds.
// BENCH_CEILING_RUNS (default 3 000), BENCH_ROUNDS (default 5).

const RUNS = envInt('BENCH_CEILING_RUNS', 3_000);
const ROUNDS = envInt('BENCH_ROUNDS', 5);
const CONCURRENCY = 16;
const BYTES = 200;

async function consoleDispatch(stubUrl: string): Promise<number> {
  const c = await startConsoleAt(stubUrl);
  try {
    await c.core.call('queue:pause', { instanceId: c.instanceId });
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < RUNS) {
          const r = await c.core.call('ingest:emit', { event: 'bench.event', payload: payloadOf(BYTES, next++) });
          if (!r.ok) throw new Error(JSON.stringify(r.error));
        }
      }),
    );
    const started = performance.now();
    await c.core.call('queue:resume', { instanceId: c.instanceId });
    await untilSucceeded(c.dataDir, RUNS);
    return RUNS / ((performance.now() - started) / 1000);
  } finally {
    await c.close();
  }
}

async function directPosts(stubUrl: string): Promise<number> {
  const agent = new Agent({ connections: CONCURRENCY });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < RUNS) {
        const res = await request(`${stubUrl}/webhook/bench`, {
          method: 'POST',
          body: JSON.stringify(payloadOf(BYTES, next++)),
          headers: { 'content-type': 'application/json' },
          dispatcher: agent,
        });
        await res.body.text();
      }
    }),
  );
  const rate = RUNS / ((performance.now() - started) / 1000);
  await agent.close();
  return rate;
}

/** The same durable writes as one run on the console's path, 50 runs per transaction. */
function plainLoop(): number {
  const dir = tempDir('flightdeck-bench-plain-');
  const db = new Database(join(dir.path, 'plain.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // As the console keeps them (0026_execution_bodies): payload and request beside the run's row.
  db.exec(`CREATE TABLE runs (id INTEGER PRIMARY KEY, status TEXT NOT NULL,
      job_id INTEGER, created_at_ms INTEGER NOT NULL, started_at_ms INTEGER, finished_at_ms INTEGER, response_status INTEGER);
    CREATE INDEX runs_created ON runs (created_at_ms DESC);
    CREATE TABLE run_bodies (id INTEGER PRIMARY KEY, payload_json TEXT, request_json TEXT);
    CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, run_id INTEGER NOT NULL, lease TEXT, updated_at_ms INTEGER NOT NULL);
    CREATE INDEX jobs_waiting ON jobs (id) WHERE state = 'waiting';
    CREATE TABLE job_payloads (job_id INTEGER PRIMARY KEY, payload_json TEXT NOT NULL);`);
  const insertRun = db.prepare("INSERT INTO runs (status, created_at_ms) VALUES ('queued', ?)");
  const insertBody = db.prepare('INSERT INTO run_bodies (id, payload_json, request_json) VALUES (?, ?, ?)');
  const insertJob = db.prepare("INSERT INTO jobs (state, run_id, updated_at_ms) VALUES ('waiting', ?, ?)");
  const insertPayload = db.prepare('INSERT INTO job_payloads (job_id, payload_json) VALUES (?, ?)');
  const setJob = db.prepare('UPDATE runs SET job_id = ? WHERE id = ?');
  const claim = db.prepare(
    "UPDATE jobs SET state = 'active', lease = 'x', updated_at_ms = ? WHERE id IN (SELECT id FROM jobs WHERE state = 'waiting' ORDER BY id LIMIT ?) RETURNING id, run_id, (SELECT payload_json FROM job_payloads WHERE job_id = jobs.id) AS p",
  );
  const start = db.prepare("UPDATE runs SET status = 'dispatching', started_at_ms = ? WHERE id = ?");
  const done = db.prepare(
    "UPDATE runs SET status = 'succeeded', finished_at_ms = ?, response_status = 200 WHERE id = ?",
  );
  const complete = db.prepare("UPDATE jobs SET state = 'completed', lease = NULL, updated_at_ms = ? WHERE id = ?");
  const started = performance.now();
  for (let base = 0; base < RUNS; base += 50) {
    const now = Date.now();
    db.transaction(() => {
      for (let i = base; i < Math.min(RUNS, base + 50); i++) {
        const body = JSON.stringify(payloadOf(BYTES, i));
        const run = Number(insertRun.run(now).lastInsertRowid);
        insertBody.run(run, body, body);
        const job = Number(insertJob.run(run, now).lastInsertRowid);
        insertPayload.run(job, body);
        setJob.run(job, run);
      }
    })();
    const claimed = db.transaction(() => {
      const rows = claim.all(now, 50) as { id: number; run_id: number }[];
      for (const r of rows) start.run(now, r.run_id);
      return rows;
    })();
    db.transaction(() => {
      for (const r of claimed) {
        done.run(now, r.run_id);
        complete.run(now, r.id);
      }
    })();
  }
  const rate = RUNS / ((performance.now() - started) / 1000);
  db.close();
  dir.remove();
  return rate;
}

it('dispatch ceiling vs direct posting to the stub; the console vs a plain SQLite loop', async () => {
  const stub = await startStub(envInt('BENCH_STUB_PORT', 0));
  const loadBefore = loadNote();
  const ours: number[] = [];
  const direct: number[] = [];
  const plain: number[] = [];
  try {
    await consoleDispatch(stub.url);
    await directPosts(stub.url);
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) direct.push(await directPosts(stub.url));
      ours.push(await consoleDispatch(stub.url));
      if (round % 2 === 1) direct.push(await directPosts(stub.url));
      plain.push(plainLoop());
    }
  } finally {
    await stub.close();
  }
  console.log(`rounds (runs/s) — console: ${each(ours)}; direct: ${each(direct)}; plain loop: ${each(plain)}`);
  console.log(`before: ${loadBefore}; after: ${loadNote()}`);
  const rows: Measurement[] = [
    { name: `direct POST to the stub (${CONCURRENCY} in flight)`, value: median(direct), unit: 'runs/s' },
    {
      name: 'console dispatch, queued → succeeded',
      value: median(ours),
      unit: 'runs/s',
      baseline: { name: 'direct', value: median(direct) },
      goal: '≥ 0.8',
    },
    { name: 'plain better-sqlite3 loop, same writes', value: median(plain), unit: 'runs/s' },
    {
      name: 'console dispatch vs the plain loop',
      value: median(ours),
      unit: 'runs/s',
      baseline: { name: 'plain loop', value: median(plain) },
      goal: '≥ 0.5',
    },
  ];
  report(
    `Dispatch ceiling, ${RUNS.toLocaleString('en-US')} runs of ${BYTES} B, median of ${ROUNDS} alternating rounds`,
    rows,
  );
});
