import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore } from '../../src/main/core/create-core';
import { tempDir } from '../../src/main/core/testing/test-core';
import { executionsByRun, type RunRow } from './delivery-support';
import { api, createWebhookWorkflow, N8N_VERSION, sharedN8n, webhookWorkflow, type N8nInstance } from './harness';
import { data, sawLast, until } from './support';

// Issue #12 failure classes and issue #13's activation race, against a real n8n (1.123.81;
// N8N_VERSION=2.41.1 for 2.x): a workflow that ends in a Stop and Error node runs once per run
// and is `failed`, never re-run blindly; a run sent right after the console activates a workflow
// is delivered, not dead-lettered (2.x registers webhooks a moment after activation). About 1–2
// minutes here, most of it n8n's start.
let n8n: N8nInstance;
let failingId: string;

beforeAll(async () => {
  n8n = await sharedN8n();
  failingId = await createWebhookWorkflow(n8n, { path: 'fd-stop-error', name: 'Stop and Error', fail: true });
});
afterAll(async () => {
  await n8n?.dispose();
});

async function consoleOn() {
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock, metrics: { pollMs: 0 } });
  const instance = await data(
    core.call('instances:add', {
      name: 'live',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'test',
      color: '#2f6fed',
    }),
  );
  const runs = async (): Promise<RunRow[]> =>
    (await data(core.call('executions:list', { source: 'local', limit: 500 }))).executions;
  return { core, dir, instanceId: instance.id, runs };
}

describe('what n8n answers decides what happens next', { timeout: 600_000 }, () => {
  it('a Stop and Error workflow: one n8n execution per run, status failed, linked, no blind re-run', async () => {
    const { core, dir, instanceId, runs } = await consoleOn();
    try {
      await data(
        core.call('mappings:create', {
          mapping: { event: 'refund.asked', instanceId, workflowId: failingId, webhookPath: 'fd-stop-error' },
        }),
      );
      const ids: number[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(...(await data(core.call('ingest:emit', { event: 'refund.asked', payload: { i } }))).executionIds);
      const failed = await until(
        'five failed runs',
        async () => {
          const list = (await runs()).filter((r) => ids.includes(r.id));
          sawLast(list);
          return list.length === 5 && list.every((r) => r.status === 'failed') ? list : undefined;
        },
        180_000,
      );
      for (const run of failed) {
        expect(run.error).toMatch(/ran in n8n and failed \(500\)/);
        expect(run.error).not.toMatch(/retrying/i);
      }
      // Linked to the n8n execution it started, where it can be found.
      const linked = await until(
        'each failed run linked to its n8n execution',
        async () => {
          const list = (await runs()).filter((r) => ids.includes(r.id));
          return list.every((r) => r.remoteId) ? list : undefined;
        },
        180_000,
      );
      // No re-run can come: each run's job is finished (not delayed for another attempt) after one attempt.
      const jobs = await until(
        "each failed run's job finished",
        async () => {
          const details = await Promise.all(ids.map((id) => data(core.call('runs:detail', { id }))));
          sawLast(details.map((d) => d.job?.state));
          return details.every((d) => d.job && ['completed', 'dead_lettered'].includes(d.job.state))
            ? details
            : undefined;
        },
        180_000,
      );
      for (const detail of jobs) expect(detail.job?.attempts, `run ${detail.id}`).toHaveLength(1);
      const byRun = await executionsByRun(n8n, failingId);
      for (const run of linked) {
        const executions = byRun.get(run.id) ?? [];
        expect(executions, `run ${run.id}`).toHaveLength(1);
        expect(executions[0]).toMatchObject({ id: run.remoteId, status: 'error', workflowId: failingId });
      }
      const detail = await data(core.call('runs:detail', { id: ids[0]! }));
      expect(detail.job?.attempts).toHaveLength(1);
      expect(detail.responseStatus).toBe(500);
    } finally {
      await core.close();
      dir.remove();
    }
  });

  it(`a run sent right after the console activates the workflow is delivered (n8n ${N8N_VERSION})`, async () => {
    const { core, dir, instanceId, runs } = await consoleOn();
    try {
      const created = await api<{ id: string }>(
        n8n,
        'POST',
        '/workflows',
        webhookWorkflow({ path: 'fd-fresh', name: 'Fresh orders' }),
      );
      await data(core.call('instances:syncNow', { id: instanceId }));
      await data(
        core.call('mappings:create', {
          mapping: { event: 'order.fresh', instanceId, workflowId: created.id, webhookPath: 'fd-fresh' },
        }),
      );
      await data(core.call('workflows:setActive', { instanceId, workflowId: created.id, active: true }));
      const ids: number[] = [];
      for (let i = 0; i < 10; i++)
        ids.push(...(await data(core.call('ingest:emit', { event: 'order.fresh', payload: { i } }))).executionIds);
      const done = await until(
        'ten delivered runs',
        async () => {
          const list = (await runs()).filter((r) => ids.includes(r.id));
          sawLast(list);
          return list.length === 10 && list.every((r) => ['succeeded', 'dead_lettered'].includes(r.status))
            ? list
            : undefined;
        },
        180_000,
      );
      expect(done.filter((r) => r.status === 'dead_lettered')).toEqual([]);
      const early = [];
      for (const id of ids) {
        const detail = await data(core.call('runs:detail', { id }));
        early.push(...(detail.job?.attempts ?? []).filter((a) => a.httpStatus === 404));
      }
      for (const attempt of early) expect(attempt.error).toMatch(/n8n reports "Fresh orders" active/);
      console.log(`n8n ${N8N_VERSION}: ${early.length} attempts answered 404 right after activation, each retried`);
    } finally {
      await core.close();
      dir.remove();
    }
  });
});
