/**
 * Starter templates against a real n8n (1.123.81 by default; N8N_VERSION=2.41.1 for 2.x): the
 * "approval-gated webhook" kit installed in one call, an event emitted through it, held for
 * approval, approved, and run by the workflow the kit created. A second install on the same
 * path is refused by the pre-flight, and nothing of it is left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { tempDir } from '../../src/main/core/testing/test-core';
import { api, N8N_MAJOR, sharedN8n, waitForWebhook, type N8nInstance } from './harness';
import { addInstance, data, sawLast, until } from './support';

let n8n: N8nInstance;
let core: Core;
let removeDataDir: () => void;
let instanceId: string;

beforeAll(async () => {
  n8n = await sharedN8n();
  const dir = tempDir();
  removeDataDir = dir.remove;
  core = createCore({ dataDir: dir.path, clock: systemClock });
  instanceId = await addInstance(core, n8n, 'live');
});

afterAll(async () => {
  await core?.close();
  removeDataDir?.();
  await n8n?.dispose();
});

interface N8nExecution {
  id: string;
  status: string;
  data?: {
    resultData: { runData: Record<string, { data?: { main: ({ json: Record<string, unknown> }[] | null)[] } }[]> };
  };
}

describe(`starter templates in n8n ${N8N_MAJOR}.x`, () => {
  it('installs the approval-gated webhook kit; an approved event runs the workflow it created', async () => {
    const path = 'fd-template/refund';
    const result = await data(
      core.call('templates:install', {
        templateId: 'approval-gated-webhook',
        instanceId,
        values: { event: 'live.refund', webhookPath: path },
      }),
    );
    expect(result.preflight).toMatchObject({ ok: true, targetVersion: n8n.version });
    const workflowId = result.installed!.workflow.id;
    const remote = await api<{ active: boolean; name: string }>(n8n, 'GET', `/workflows/${workflowId}`);
    expect(remote).toMatchObject({ active: true, name: 'Approved: live.refund' });
    await waitForWebhook(n8n, path);

    await data(
      core.call('ingest:emit', { event: 'live.refund', payload: { orderId: 'T-1', amount: 12, currency: 'EUR' } }),
    );
    const item = await until('the gated run in the inbox', async () => {
      const { items } = await data(core.call('approvals:list', { filter: { status: 'open' } }));
      sawLast(items.map((i) => i.summary));
      return items.find((i) => i.summary === 'Refund T-1 · 12 EUR');
    });
    await data(core.call('approvals:decide', { id: item.id, decision: 'approve' }));

    const run = await until('the run to succeed in n8n', async () => {
      const { data: list } = await api<{ data: N8nExecution[] }>(n8n, 'GET', `/executions?workflowId=${workflowId}`);
      sawLast(list.map((e) => e.status));
      return list.find((e) => e.status === 'success');
    });
    const full = await api<N8nExecution>(n8n, 'GET', `/executions/${run.id}?includeData=true`);
    const out = full.data?.resultData.runData['Your steps go here']?.at(-1)?.data?.main[0]?.[0]?.json;
    expect(out).toMatchObject({ event: 'live.refund', body: { orderId: 'T-1', amount: 12 } });
  });

  it('refuses a second install on the path the first one serves, and leaves nothing behind', async () => {
    const before = (await api<{ data: unknown[] }>(n8n, 'GET', '/workflows')).data.length;
    const mappings = (await data(core.call('mappings:list', {}))).length;
    const refused = await core.call('templates:install', {
      templateId: 'scheduled-report',
      instanceId,
      values: { webhookPath: 'fd-template/refund' },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/already serves \/webhook\/fd-template\/refund/);
    expect((await api<{ data: unknown[] }>(n8n, 'GET', '/workflows')).data).toHaveLength(before);
    expect(await data(core.call('mappings:list', {}))).toHaveLength(mappings);
    expect((await data(core.call('schedules:list', {}))).schedules).toEqual([]);
  });
});
