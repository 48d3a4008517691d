import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { expect, it } from 'vitest';
import { createApprovalsModule } from '../../src/main/core/approvals/approvals-module';
import { createHttpResumePort } from '../../src/main/core/approvals/http-resume';
import type { ApprovalPorts } from '../../src/main/core/approvals/ports';
import { testContext } from '../../src/main/core/testing/test-core';
import { report, throughput } from './report';

const N = 1_000;
const CONCURRENCY = 16;

/** Stands in for n8n's /webhook-waiting/<id>: counts resumes per execution; a second one gets 409. */
async function fakeN8n() {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = /^\/webhook-waiting\/([^/]+)$/.exec(req.url ?? '')?.[1];
      if (req.method !== 'POST' || !id) return void res.writeHead(404).end();
      const seen = counts.get(id) ?? 0;
      counts.set(id, seen + 1);
      res.writeHead(seen === 0 ? 200 : 409, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { counts, baseUrl, close: () => new Promise<void>((r) => server.close(() => r())) };
}

it(`bulk-deciding ${N} n8n waits: each resumed exactly once`, async () => {
  const n8n = await fakeN8n();
  const t = testContext();
  const agent = new Agent({ connections: CONCURRENCY });
  const ports: ApprovalPorts = {
    releaseGate: () => undefined,
    rejectGate: () => undefined,
    resumeExecution: createHttpResumePort({ dispatcher: agent }),
    waitingExecutions: () => [],
    findInstance: () => ({ id: 'bench', baseUrl: n8n.baseUrl }),
  };
  const module = createApprovalsModule(t.ctx, t.audit, ports, { concurrency: CONCURRENCY });
  const register = (prefix: string) =>
    Array.from(
      { length: N },
      (_, i) =>
        module.service.registerWaiting({
          instanceId: 'bench',
          executionId: `${prefix}${i}`,
          resumeUrl: `${n8n.baseUrl}/webhook-waiting/${prefix}${i}`,
          summary: `Refund ${i}`,
          payload: { amount: i },
        }).approval.id,
    );

  // Baseline: the same number of POSTs straight to the resume endpoint, same pool and concurrency
  // (after a warm-up, so neither side pays for opening connections or JIT).
  const post = async (id: string) => {
    const res = await request(`${n8n.baseUrl}/webhook-waiting/${id}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true, comment: null, decidedBy: 'bench' }),
    });
    await res.body.dump();
  };
  await throughput(300, CONCURRENCY, (i) => post(`warm${i}`));
  const directBefore = await throughput(N, CONCURRENCY, (i) => post(`direct${i}`));

  const ids = register('inbox-');
  const started = performance.now();
  const result = module.service.decideMany(ids, 'approve', 'bulk');
  const decidedMs = performance.now() - started;
  await module.resumer.drain();
  const deliveredMs = performance.now() - started;

  expect(result.decided).toBe(N);
  const resumed = [...n8n.counts].filter(([id]) => id.startsWith('inbox-'));
  expect(resumed).toHaveLength(N);
  expect(resumed.every(([, count]) => count === 1)).toBe(true);
  const states = t.ctx.store.db
    .prepare('SELECT resume_state, count(*) AS n FROM approvals GROUP BY resume_state')
    .all();
  expect(states).toEqual([{ resume_state: 'resumed', n: N }]);

  // A restart finds nothing owed: no second POST for any execution.
  const restarted = createApprovalsModule(t.ctx, t.audit, ports);
  await restarted.tick();
  expect([...n8n.counts].filter(([id]) => id.startsWith('inbox-')).every(([, c]) => c === 1)).toBe(true);

  // Measured again after, so neither side benefits from running later (JIT, warm sockets).
  const directAfter = await throughput(N, CONCURRENCY, (i) => post(`again${i}`));
  const direct = (directBefore + directAfter) / 2;
  const viaInbox = N / (deliveredMs / 1000);
  const deliveryOnly = N / ((deliveredMs - decidedMs) / 1000);
  report(`Approvals: bulk-deciding ${N} n8n waits (loopback stand-in for n8n, ${CONCURRENCY} in flight)`, [
    { name: `decideMany(${N}) committed (decisions + audit)`, value: decidedMs, unit: 'ms' },
    { name: 'decision → all resumes delivered', value: deliveredMs, unit: 'ms' },
    {
      name: 'resume delivery only (after the commit)',
      value: deliveryOnly,
      unit: 'req/s',
      baseline: { name: 'direct POSTs (mean of before/after)', value: direct },
      goal: '≥ 0.5',
    },
    {
      name: 'end to end: decide + deliver',
      value: viaInbox,
      unit: 'req/s',
      baseline: { name: 'direct POSTs', value: direct },
    },
    { name: 'executions resumed exactly once', value: resumed.filter(([, c]) => c === 1).length, unit: `of ${N}` },
  ]);
  await restarted.stop();
  await module.stop();
  await agent.close();
  t.cleanup();
  await n8n.close();
});
