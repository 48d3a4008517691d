import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallChannel, CallInput, CallOutput, ExecutionSummary } from '../../src/shared/contract';
import { formatRun } from '../../src/shared/run-identity';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { tempDir } from '../../src/main/core/testing/test-core';
import { api, createWebhookWorkflow, fireWebhook, N8N_VERSION, sharedN8n, type N8nInstance } from './harness';
import { data, sawLast, until } from './support';

// Lineage against a real n8n: single, edited, bulk and n8n's own retries link both ways, the
// originals read as superseded, a bulk dry run flags what it should, and metrics count runs.
// The failing workflow answers 500 (it ran and failed): its runs are 'failed', not re-sent.
let n8n: N8nInstance;
let core: Core;
let dir: { path: string; remove(): void };
let instanceId: string;
let mappingId: string;
let goneMappingId: string;
let goneWorkflow: string;

const call = <C extends CallChannel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> =>
  data(core.call(channel, input));
const run = async (id: number) => (await call('executions:get', { id })).execution;
const names = (id: string | null) => (id === instanceId ? 'live' : null);

/** Waits for a run to finish and, when it succeeded, to be linked to its n8n execution. */
async function settled(id: number): Promise<ExecutionSummary> {
  return until(`run ${id} to finish`, async () => {
    const e = await run(id);
    sawLast(e);
    if (e.status === 'succeeded' && e.remoteId === null) return undefined;
    return ['succeeded', 'failed', 'dead_lettered'].includes(e.status) ? e : undefined;
  });
}

const setPath = async (webhookPath: string) => {
  const current = await call('mappings:get', { id: mappingId });
  const { id: _id, createdAtMs: _c, updatedAtMs: _u, ...fields } = current;
  await call('mappings:update', { id: mappingId, mapping: { ...fields, webhookPath } });
};

beforeAll(async () => {
  n8n = await sharedN8n();
  await createWebhookWorkflow(n8n, { path: 'fd-lin-fail', name: 'Lineage failing', fail: true });
  await createWebhookWorkflow(n8n, { path: 'fd-lin-ok', name: 'Lineage OK' });
  goneWorkflow = await createWebhookWorkflow(n8n, { path: 'fd-lin-gone', name: 'Lineage soon inactive' });
  dir = tempDir();
  core = createCore({ dataDir: dir.path, clock: systemClock, linker: { intervalMs: 300 } });
  instanceId = (
    await call('instances:add', {
      name: 'live',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    })
  ).id;
  mappingId = (
    await call('mappings:create', {
      mapping: {
        name: 'Orders',
        event: 'order.created',
        instanceId,
        webhookPath: 'fd-lin-fail',
        retry: { attempts: 1 },
      },
    })
  ).id;
  goneMappingId = (
    await call('mappings:create', {
      mapping: { name: 'Gone', event: 'order.gone', instanceId, webhookPath: 'fd-lin-gone', retry: { attempts: 1 } },
    })
  ).id;
  await call('instances:syncNow', { id: instanceId });
});

afterAll(async () => {
  await core?.close();
  dir?.remove();
  await n8n?.dispose();
});

const emit = async (payload: unknown, event = 'order.created') =>
  (await call('ingest:emit', { event, payload })).executionIds[0]!;

describe(`lineage against a real n8n ${N8N_VERSION}`, () => {
  let single: { original: number; retry: number };

  it('single retry: FD-a is superseded by FD-b, which says it retried FD-a', async () => {
    const original = await emit({ order: 1, qty: 1 });
    expect(await settled(original)).toMatchObject({ status: 'failed' });
    const done = await call('runs:retry', { ids: [original], dryRun: false });
    const retry = done.results![0]!.newId!;
    expect(await settled(retry)).toMatchObject({
      status: 'failed',
      retryKind: 'retry',
      retryOfRun: { id: original },
    });
    expect(await run(original)).toMatchObject({ supersededByRun: { id: retry, source: 'local' } });
    expect((await call('runs:lineage', { id: original })).chain.map((n) => n.run.id)).toEqual([original, retry]);
    single = { original, retry };
  });

  it('edited retry: the new run carries the edited payload to n8n and is linked to its execution', async () => {
    await setPath('fd-lin-ok');
    const done = await call('runs:retry', { ids: [single.retry], dryRun: false, payload: { order: 1, qty: 2 } });
    const edited = done.results![0]!.newId!;
    const e = await settled(edited);
    expect(e).toMatchObject({ status: 'succeeded', retryKind: 'edited', retryOfRun: { id: single.retry } });
    expect(formatRun(e, names)).toBe(`FD-${edited} → n8n #${e.remoteId} on live`);
    // What n8n ran is the edited payload, under this run's id.
    const execution = await api<{ data: unknown }>(n8n, 'GET', `/executions/${e.remoteId}?includeData=true`);
    const text = JSON.stringify(execution.data);
    expect(text).toContain('"qty":2');
    expect(text).toContain(`"x-flightdeck-execution-id":"${edited}"`);
    const { chain } = await call('runs:lineage', { id: single.original });
    expect(chain.map((n) => [n.run.id, n.depth, n.payloadEdited])).toEqual([
      [single.original, 0, false],
      [single.retry, 1, false],
      [edited, 2, true],
    ]);
    await setPath('fd-lin-fail');
  });

  it('bulk retry: the dry run flags retried, edited and 404 runs; each item gets its new run and outcome', async () => {
    const failing = [await emit({ order: 2 }), await emit({ order: 3 })];
    for (const id of failing) expect(await settled(id)).toMatchObject({ status: 'failed' });
    // A run whose workflow n8n stopped serving since (the sync knows it): it will 404 again.
    const gone = await emit({ order: 4 }, 'order.gone');
    expect(await settled(gone)).toMatchObject({ status: 'succeeded' });
    await api(n8n, 'POST', `/workflows/${goneWorkflow}/deactivate`);
    await call('instances:syncNow', { id: instanceId });

    const ids = [single.original, ...failing, gone];
    const dry = await call('runs:retry', { ids, dryRun: true });
    expect(dry.preview.count).toBe(4);
    expect(dry.preview.byTarget).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          mappingName: 'Orders',
          workflowName: 'Lineage failing',
          count: 3,
          alreadyRetried: 1,
          payloadEdited: 1,
        }),
        expect.objectContaining({
          mappingName: 'Gone',
          workflowName: 'Lineage soon inactive',
          count: 1,
          webhookMissing: 1,
        }),
      ]),
    );
    const byRun = new Map(dry.preview.flagged.map((f) => [f.run.id, f]));
    expect(byRun.get(single.original)?.flags).toEqual(['already_retried', 'payload_edited']);
    expect(byRun.get(gone)?.flags).toEqual(['webhook_missing']);
    expect(byRun.has(failing[0]!)).toBe(false);

    await setPath('fd-lin-ok');
    const done = await call('runs:retry', { ids, dryRun: false, skipRetried: true });
    expect(done.results!.map((r) => [r.id, r.outcome])).toEqual([
      [single.original, 'skipped'],
      [failing[0], 'queued'],
      [failing[1], 'queued'],
      [gone, 'queued'],
    ]);
    const outcomes = [];
    for (const r of done.results!.slice(1)) {
      const e = await settled(r.newRun!.id);
      expect(e).toMatchObject({ retryKind: 'bulk', retryOfRun: { id: r.id } });
      expect(await run(r.id)).toMatchObject({ supersededByRun: { id: e.id } });
      outcomes.push(e.status);
    }
    // The two failing runs now succeed; the run whose webhook is gone answers 404 again, as flagged.
    expect(outcomes).toEqual(['succeeded', 'succeeded', 'dead_lettered']);
    const goneRetry = await run(done.results![3]!.newRun!.id);
    expect(goneRetry.error).toMatch(/404/);
  });

  it("n8n retry: n8n's new execution retries the synced one and both say so", async () => {
    expect(await fireWebhook(n8n, 'fd-lin-fail', { direct: true })).toBe(500);
    await call('instances:syncNow', { id: instanceId });
    const original = await until('the failed n8n execution', async () => {
      const list = await call('executions:list', { source: 'remote', status: ['failed'], limit: 50 });
      return list.executions.find((e) => e.mode === 'webhook' && e.retryOfRun === null && e.supersededByRun === null);
    });
    const done = await call('runs:retry', { ids: [original.id], dryRun: false });
    const item = done.results![0]!;
    expect(item).toMatchObject({ outcome: 'retried', newRun: { source: 'remote', instanceId } });
    const retried = await run(item.newRun!.id);
    expect(retried).toMatchObject({ retryOf: original.remoteId, retryKind: 'n8n', retryOfRun: { id: original.id } });
    expect(await run(original.id)).toMatchObject({ supersededByRun: { id: retried.id } });
    expect(formatRun(retried, names)).toBe(`n8n #${retried.remoteId} on live`);
    // The next sync pass keeps the link.
    await call('instances:syncNow', { id: instanceId });
    expect(await run(original.id)).toMatchObject({ supersededByRun: { id: retried.id } });
  });

  it('metrics count each chain once, by the outcome of its newest run', async () => {
    const local = await call('metrics:summary', { range: '1h', instanceId, mappingId });
    // Chains of the Orders mapping: original → retry → edited (succeeded); two bulk-retried runs (succeeded).
    expect(local).toMatchObject({ total: 3, succeeded: 3, deadLettered: 0, errorRate: 0 });
    expect(local.attempts).toBeGreaterThanOrEqual(7);
    const gone = await call('metrics:summary', { range: '1h', instanceId, mappingId: goneMappingId });
    expect(gone).toMatchObject({ total: 1, deadLettered: 1, attempts: 2, failedAttempts: 1 });
  });
});
