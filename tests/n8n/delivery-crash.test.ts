import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../src/main/core/testing/test-core';
import { startConsole, type ConsoleProcess } from '../e2e/console';
import { consoleSocket, executionsByRun, untilSettled, type RunRow } from './delivery-support';
import { api, createWebhookWorkflow, sharedN8n, type N8nInstance } from './harness';

// Issue #12, crash recovery against a real n8n (1.123.81; N8N_VERSION=2.41.1 for 2.x): the
// console (the built headless host) is SIGKILLed while it delivers 500 runs, then started again on
// the same data folder. Before re-posting a run whose attempt was in flight, it looks for the run
// in n8n by its mark: no run is dead-lettered and none runs twice. About 2–3 minutes here (n8n's
// start, and the 30 s lease of the attempts the killed console left behind). Needs the build
// (`npx electron-vite build`), as `npm run test:n8n` does first.
let n8n: N8nInstance;
let workflowId: string;

beforeAll(async () => {
  n8n = await sharedN8n();
  workflowId = await createWebhookWorkflow(n8n, { path: 'fd-crash', name: 'Crash orders' });
});
afterAll(async () => {
  await n8n?.dispose();
});

// Above the waits inside (150 runs, the console's restart, all 500 settled: each capped, and failed
// early only when nothing moves for 3 minutes).
describe('the console dies mid-delivery', { timeout: 2_400_000 }, () => {
  it('SIGKILL of the console during 500 dispatches: none dead-lettered, none run twice', async () => {
    const dir = tempDir();
    let app: ConsoleProcess | undefined = await startConsole({ dataDir: dir.path });
    try {
      const first = await consoleSocket(app.url);
      const instance = await first.call<{ id: string }>('instances:add', {
        name: 'live',
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment: 'test',
        color: '#2f6fed',
      });
      await first.call('mappings:create', {
        mapping: { event: 'order.created', instanceId: instance.id, workflowId, webhookPath: 'fd-crash' },
      });
      const ids: number[] = [];
      for (let i = 0; i < 500; i++)
        ids.push(
          ...(await first.call<{ executionIds: number[] }>('ingest:emit', { event: 'order.created', payload: { i } }))
            .executionIds,
        );
      // Kill it mid-burst: once n8n has run a good part of them.
      await untilSettled(
        '150 executions in n8n',
        async () => {
          const page = await api<{ data: unknown[] }>(n8n, 'GET', `/executions?workflowId=${workflowId}&limit=250`);
          return { done: page.data.length >= 150 ? true : undefined, progress: page.data.length };
        },
        { capMs: 600_000 },
      );
      first.close();
      const killed = new Promise((r) => app!.process.once('exit', r));
      app.process.kill('SIGKILL');
      await killed;
      const inFlight = new Database(join(dir.path, 'flightdeck.sqlite'), { readonly: true })
        .prepare("SELECT count(*) FROM jobs WHERE state = 'active'")
        .pluck()
        .get() as number;
      console.log(`killed the console with ${inFlight} attempts in flight`);

      app = await startConsole({ dataDir: dir.path });
      const second = await consoleSocket(app.url);
      const runs = await untilSettled('all 500 runs finished', async () => {
        const { executions } = await second.call<{ executions: RunRow[] }>('executions:list', {
          source: 'local',
          limit: 500,
        });
        const counts: Record<string, number> = {};
        for (const r of executions) counts[r.status] = (counts[r.status] ?? 0) + 1;
        const settled =
          executions.length === 500 && executions.every((r) => ['succeeded', 'dead_lettered'].includes(r.status));
        return { done: settled ? executions : undefined, progress: counts };
      });
      second.close();
      expect(runs.filter((r) => r.status === 'dead_lettered')).toEqual([]);
      const byRun = await executionsByRun(n8n, workflowId);
      const twice = ids.filter((id) => (byRun.get(id)?.length ?? 0) !== 1);
      // On failure: what the console recorded of those runs' attempts.
      const evidence = new Database(join(dir.path, 'flightdeck.sqlite'), { readonly: true });
      const attemptsOf = evidence.prepare(
        `SELECT j.uncertain, j.result_json, a.attempt, a.outcome, a.error FROM jobs j
         LEFT JOIN job_attempts a ON a.job_id = j.id WHERE j.execution_id = ? ORDER BY a.attempt`,
      );
      const why = twice.map((id) => ({ id, n8n: byRun.get(id), attempts: attemptsOf.all(id) }));
      evidence.close();
      expect(twice, JSON.stringify(why)).toEqual([]);
      const db = new Database(join(dir.path, 'flightdeck.sqlite'), { readonly: true });
      const found = db.prepare("SELECT count(*) FROM jobs WHERE result_json LIKE '%foundInN8n%'").pluck().get();
      const expired = db.prepare("SELECT count(*) FROM job_attempts WHERE outcome = 'lease_expired'").pluck().get();
      db.close();
      console.log(
        `after the restart: ${String(expired)} expired attempts, ${String(found)} found in n8n and not sent again`,
      );
      expect(Number(expired)).toBeGreaterThan(0);
    } finally {
      await app?.stop();
      dir.remove();
    }
  });
});
