import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { sign } from '../../src/main/core/ingest/signature';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../../src/main/core/testing/test-core';
import type { CallInput } from '../../src/shared/contract';
import { api, createWebhookWorkflow, N8N_VERSION, sharedN8n, waitForWebhook, type N8nInstance } from './harness';
import { data, sawLast, until } from './support';

// Linking runs to n8n executions and waits reaching the inbox, against a real n8n (1.123 by
// default; N8N_VERSION=2.41.1 for 2.x): a burst linked exactly once, a Wait-node run dispatched
// by a mapping in the inbox within seconds and resumed, waits started in n8n where opted in.

let n8n: N8nInstance;
const workflows: Record<string, string> = {};

/** Webhook (answers at once) → a timed Wait of 10 minutes: a wait the inbox must never show. */
function timedWaitWorkflow(path: string) {
  return {
    name: `Timed ${path}`,
    settings: { executionOrder: 'v1' },
    nodes: [
      {
        id: 'd0000000-0000-4000-8000-000000000001',
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: `fd-${path}`,
        parameters: { httpMethod: 'POST', path, responseMode: 'onReceived' },
      },
      {
        id: 'd0000000-0000-4000-8000-000000000002',
        name: 'Wait',
        type: 'n8n-nodes-base.wait',
        typeVersion: 1.1,
        position: [220, 0],
        webhookId: `fd-wait-${path}`,
        parameters: { resume: 'timeInterval', amount: 10, unit: 'minutes' },
      },
    ],
    connections: { Webhook: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] } },
  };
}

/** Webhook → Respond {executionId, resumeUrl} → Wait (POST webhook): how a workflow registers itself. */
function respondingWaitWorkflow(path: string) {
  return {
    name: `Responding ${path}`,
    settings: { executionOrder: 'v1' },
    nodes: [
      {
        id: 'e0000000-0000-4000-8000-000000000001',
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: `fd-${path}`,
        parameters: { httpMethod: 'POST', path, responseMode: 'responseNode' },
      },
      {
        id: 'e0000000-0000-4000-8000-000000000002',
        name: 'Respond',
        type: 'n8n-nodes-base.respondToWebhook',
        typeVersion: 1.1,
        position: [200, 0],
        parameters: {
          respondWith: 'json',
          responseBody: '={{ JSON.stringify({ executionId: $execution.id, resumeUrl: $execution.resumeUrl }) }}',
        },
      },
      {
        id: 'e0000000-0000-4000-8000-000000000003',
        name: 'Wait',
        type: 'n8n-nodes-base.wait',
        typeVersion: 1.1,
        position: [400, 0],
        webhookId: `fd-wait-${path}`,
        parameters: { resume: 'webhook', httpMethod: 'POST', options: {} },
      },
    ],
    connections: {
      Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
      Respond: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
    },
  };
}

async function createAndActivate(body: { name: string }, path: string): Promise<string> {
  const created = await api<{ id: string }>(n8n, 'POST', '/workflows', body);
  await api(n8n, 'POST', `/workflows/${created.id}/activate`);
  await waitForWebhook(n8n, path);
  return created.id;
}

beforeAll(async () => {
  n8n = await sharedN8n();
  workflows.burst = await createWebhookWorkflow(n8n, { path: 'fd-burst', name: 'Burst' });
  workflows.refund = await createWebhookWorkflow(n8n, { path: 'fd-refund', name: 'Refund', waitForResume: true });
  workflows.direct = await createWebhookWorkflow(n8n, {
    path: 'fd-direct',
    name: 'Direct refunds',
    waitForResume: true,
  });
  workflows.timed = await createAndActivate(timedWaitWorkflow('fd-timed'), 'fd-timed');
  workflows.responding = await createAndActivate(respondingWaitWorkflow('fd-responding'), 'fd-responding');
});
afterAll(async () => {
  await n8n?.dispose();
});

/** A console on its own store with the linker's defaults (a pass every 2 s). */
async function startConsole(options: { syncIntervalMs?: number } = {}) {
  const dir = tempDir();
  const core = createCore({
    dataDir: dir.path,
    clock: systemClock,
    ingestPort: 0,
    ...(options.syncIntervalMs ? { n8n: { intervalMs: options.syncIntervalMs } } : {}),
  });
  const addInstance = async (over: Partial<CallInput<'instances:add'>> = {}) =>
    (
      await data(
        core.call('instances:add', {
          name: 'live',
          baseUrl: n8n.baseUrl,
          apiKey: n8n.apiKey,
          environment: 'test',
          color: '#2f6fed',
          syncEnabled: false,
          ...over,
        }),
      )
    ).id;
  return {
    core,
    dir,
    addInstance,
    cleanup: async () => {
      await core.close();
      dir.remove();
    },
  };
}

const localRuns = async (core: Core) =>
  (await data(core.call('executions:list', { source: 'local', limit: 500 }))).executions;
const allRows = async (core: Core) => (await data(core.call('executions:list', { limit: 500 }))).executions;
const inbox = async (core: Core) => (await data(core.call('approvals:list', {}))).items;

/** Every execution n8n holds for a workflow (following cursors). */
async function n8nExecutions(workflowId: string): Promise<{ id: string; status: string }[]> {
  const all: { id: string; status: string }[] = [];
  let cursor = '';
  do {
    const page = await api<{ data: { id: string; status: string }[]; nextCursor: string | null }>(
      n8n,
      'GET',
      `/executions?workflowId=${workflowId}&limit=250${cursor ? `&cursor=${cursor}` : ''}`,
    );
    all.push(...page.data);
    cursor = page.nextCursor ?? '';
  } while (cursor);
  return all;
}

const n8nStatus = (id: string) => api<{ status: string }>(n8n, 'GET', `/executions/${id}`);

describe(`linking against a real n8n ${N8N_VERSION}`, () => {
  it('links a burst of 200 runs at ~10/s exactly once, with the sync running beside it', async () => {
    const c = await startConsole({ syncIntervalMs: 3_000 });
    try {
      const instanceId = await c.addInstance({ syncEnabled: true });
      await data(
        c.core.call('mappings:create', {
          mapping: {
            event: 'burst',
            instanceId,
            workflowId: workflows.burst!,
            webhookPath: 'fd-burst',
            retry: { attempts: 1 },
          },
        }),
      );
      // One event every 100 ms (~10 runs a second), not waiting for the previous one's answer.
      const started = Date.now();
      const ids = (
        await Promise.all(
          Array.from(
            { length: 200 },
            (_, i) =>
              new Promise<number[]>((resolve, reject) =>
                setTimeout(
                  () =>
                    data(c.core.call('ingest:emit', { event: 'burst', payload: { i } }))
                      .then((r) => resolve(r.executionIds))
                      .catch(reject),
                  i * 100,
                ),
              ),
          ),
        )
      ).flat();
      const emittedMs = Date.now() - started;
      await until(
        'every run linked',
        async () => {
          const runs = await localRuns(c.core);
          sawLast(runs.filter((r) => !r.remoteId).map((r) => [r.id, r.status]));
          return runs.filter((r) => ids.includes(r.id) && r.remoteId).length === 200 ? true : undefined;
        },
        120_000,
      );
      const linkedAfterMs = Date.now() - started;
      await data(c.core.call('instances:syncNow', { id: instanceId }));
      const rows = (await allRows(c.core)).filter((r) => r.workflowId === workflows.burst);
      const remote = await n8nExecutions(workflows.burst!);
      console.info(
        `burst: 200 runs emitted in ${emittedMs} ms; all linked ${linkedAfterMs} ms after the first; ` +
          `${rows.length} rows for ${remote.length} n8n executions`,
      );
      expect(remote).toHaveLength(200);
      expect(rows).toHaveLength(remote.length); // one row per n8n execution
      expect(rows.every((r) => r.source === 'local' && r.status === 'succeeded')).toBe(true);
      expect(new Set(rows.map((r) => r.remoteId))).toEqual(new Set(remote.map((e) => e.id)));
      // Each run points at the execution that carries its own id.
      for (const run of rows.slice(0, 20)) {
        const e = await api<{ data: unknown }>(n8n, 'GET', `/executions/${run.remoteId}?includeData=true`);
        expect(JSON.stringify(e.data)).toContain(`"x-flightdeck-execution-id":"${run.id}"`);
      }
    } finally {
      await c.cleanup();
    }
  });

  it('shows a Wait-node run dispatched by a mapping in the inbox within seconds, titled, and resumes it on approve', async () => {
    const c = await startConsole();
    try {
      const instanceId = await c.addInstance();
      await data(
        c.core.call('mappings:create', {
          mapping: {
            event: 'refund.requested',
            name: 'Refunds',
            instanceId,
            workflowId: workflows.refund!,
            webhookPath: 'fd-refund',
            retry: { attempts: 1 },
          },
        }),
      );
      const sent = Date.now();
      const [runId] = (
        await data(c.core.call('ingest:emit', { event: 'refund.requested', payload: { amount: 42, customer: 'ana' } }))
      ).executionIds;
      const [item] = await until('the wait in the inbox', async () => {
        const items = await inbox(c.core);
        return items.length ? items : undefined;
      });
      console.info(`wait dispatched by a mapping: in the inbox after ${Date.now() - sent} ms`);
      expect(item).toMatchObject({ kind: 'wait', executionId: runId, summary: 'Refunds: amount: 42, customer: ana' });
      const run = (await localRuns(c.core)).find((r) => r.id === runId);
      expect(run).toMatchObject({ status: 'waiting', remoteId: item!.remoteExecutionId });
      expect((await n8nStatus(run!.remoteId!)).status).toBe('waiting');

      await data(c.core.call('approvals:decide', { id: item!.id, decision: 'approve' }));
      await until('n8n resumed the execution', async () =>
        (await n8nStatus(run!.remoteId!)).status === 'success' ? true : undefined,
      );
      await until('the run succeeded', async () =>
        (await localRuns(c.core)).find((r) => r.id === runId)?.status === 'succeeded' ? true : undefined,
      );
    } finally {
      await c.cleanup();
    }
  });

  it('makes a run waiting when the webhook answer names a waiting execution', async () => {
    const c = await startConsole();
    try {
      const instanceId = await c.addInstance();
      await data(
        c.core.call('mappings:create', {
          mapping: {
            event: 'payout',
            name: 'Payouts',
            instanceId,
            webhookPath: 'fd-responding',
            retry: { attempts: 1 },
          },
        }),
      );
      const [runId] = (await data(c.core.call('ingest:emit', { event: 'payout', payload: { amount: 900 } })))
        .executionIds;
      const run = await until('the run waiting', async () => {
        const found = (await localRuns(c.core)).find((r) => r.id === runId);
        sawLast(found);
        return found?.status === 'waiting' ? found : undefined;
      });
      expect((await n8nStatus(run.remoteId!)).status).toBe('waiting');
      const [item] = await until('the wait in the inbox', async () => {
        const items = await inbox(c.core);
        return items.length ? items : undefined;
      });
      expect(item).toMatchObject({ summary: 'Payouts: amount: 900', remoteExecutionId: run.remoteId });
    } finally {
      await c.cleanup();
    }
  });

  it('shows waits started directly in n8n on an instance that opted in, and not on one that did not', async () => {
    const c = await startConsole();
    try {
      const on = await c.addInstance({
        name: 'opted in',
        waitInbox: { enabled: true, workflowIds: [workflows.direct!, workflows.timed!] },
      });
      const off = await c.addInstance({ name: 'not opted in' });
      // A run dispatched through the instance that did not opt in makes its linker read n8n too.
      await data(
        c.core.call('mappings:create', {
          mapping: { event: 'sentinel', instanceId: off, webhookPath: 'fd-burst', retry: { attempts: 1 } },
        }),
      );
      const post = (path: string, body: unknown) =>
        fetch(`${n8n.baseUrl}/webhook/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.arrayBuffer());
      const started = Date.now();
      await post('fd-timed', { later: true }); // a timed wait: never in the inbox
      await post('fd-direct', { amount: 7, reason: 'refund' });
      const [sentinel] = (await data(c.core.call('ingest:emit', { event: 'sentinel', payload: {} }))).executionIds;
      const [item] = await until('the direct wait in the inbox', async () => {
        const items = await inbox(c.core);
        return items.length ? items : undefined;
      });
      console.info(`wait started in n8n: in the inbox after ${Date.now() - started} ms`);
      await until('the sentinel run linked', async () =>
        (await localRuns(c.core)).find((r) => r.id === sentinel)?.remoteId ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, 5_000)); // two more linker passes
      const items = await inbox(c.core);
      expect(items).toHaveLength(1);
      expect(item).toMatchObject({
        kind: 'wait',
        instanceId: on,
        executionId: null,
        summary: 'Direct refunds: amount: 7, reason: refund',
      });
      await data(c.core.call('approvals:decide', { id: item!.id, decision: 'approve' }));
      await until('n8n resumed the direct execution', async () =>
        (await n8nStatus(item!.remoteExecutionId!)).status === 'success' ? true : undefined,
      );
    } finally {
      await c.cleanup();
    }
  });

  it('registers a wait whose resume URL says localhost for an instance saved as 127.0.0.1, and resumes it', async () => {
    const c = await startConsole();
    try {
      const instanceId = await c.addInstance();
      const res = await fetch(`${n8n.baseUrl}/webhook/fd-responding`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const { executionId, resumeUrl } = (await res.json()) as { executionId: string; resumeUrl: string };
      // n8n without N8N_HOST or WEBHOOK_URL spells its own address localhost.
      const asN8nSaysIt = resumeUrl.replace('127.0.0.1', 'localhost');
      const body = JSON.stringify({ instanceId, executionId, resumeUrl: asN8nSaysIt, summary: 'Refund 40 EUR' });
      const { url } = await data(c.core.call('ingest:info', {}));
      const secret = loadOrCreateIngestSecret(c.dir.path, silentLogger);
      const t = Date.now();
      const registered = await fetch(`${url}/approvals`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-flightdeck-timestamp': String(t),
          'x-flightdeck-signature': sign(secret, t, body),
        },
      });
      expect(registered.status).toBe(201);
      const { id } = (await registered.json()) as { id: number };
      // The workflow registered before its Wait node: decide once n8n holds it waiting.
      await until('n8n holding the execution', async () =>
        (await n8nStatus(executionId)).status === 'waiting' ? true : undefined,
      );
      await data(c.core.call('approvals:decide', { id, decision: 'approve' }));
      await until('n8n resumed it', async () => {
        sawLast([await n8nStatus(executionId), (await data(c.core.call('approvals:get', { id }))).item]);
        return (await n8nStatus(executionId)).status === 'success' ? true : undefined;
      });
    } finally {
      await c.cleanup();
    }
  });
});
