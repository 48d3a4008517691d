import { afterEach, describe, expect, it } from 'vitest';
import type { CallChannel, CallInput, CallOutput, ExecutionSummary } from '../../../shared/contract';
import { formatRun } from '../../../shared/run-identity';
import { systemClock } from '../clock';
import { createCore } from '../create-core';
import { tempDir } from '../testing/test-core';
import { startFakeN8n } from '../testing/fake-n8n';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * A whole console against the loopback fake n8n: workflow "Orders" serves /webhook/ok (200);
 * /webhook/fail answers 422 while `refused` holds it (a request n8n rejects: dead-lettered; 404
 * later, once the last sync saw the workflow that served it deactivated).
 */
async function setup() {
  const refused = new Set(['/webhook/fail']);
  const n8n = await startFakeN8n();
  n8n.state.doorFault = (call) =>
    refused.has(call.path) ? { status: 422, body: { message: 'Unprocessable order' } } : undefined;
  n8n.addWorkflow('w1', 'Orders', { path: 'ok' });
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock });
  cleanups.push(dir.remove, n8n.close, () => core.close());
  const call = async <C extends CallChannel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> => {
    const r = await core.call(channel, input);
    if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const instance = await call('instances:add', {
    name: 'prod',
    baseUrl: n8n.baseUrl,
    apiKey: n8n.apiKey,
    environment: 'prod',
    color: '#2f6fed',
    syncEnabled: false,
  });
  const mapping = async (name: string, event: string, webhookPath: string) =>
    call('mappings:create', {
      mapping: { name, event, instanceId: instance.id, webhookPath, retry: { attempts: 1 } },
    });
  const ok = await mapping('Orders OK', 'order.ok', 'ok');
  const fail = await mapping('Orders failing', 'order.fail', 'fail');
  const emit = async (event: string, payload: unknown) =>
    (await call('ingest:emit', { event, payload })).executionIds[0]!;
  return { core, call, n8n, refused, instanceId: instance.id, mappings: { ok, fail }, emit };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** An execution that ran in n8n just now (the fake's own are dated early 2026). */
const recent = () => {
  const at = new Date().toISOString();
  return { createdAt: at, startedAt: at, stoppedAt: at };
};

async function run(call: Setup['call'], id: number): Promise<ExecutionSummary> {
  return (await call('executions:get', { id })).execution;
}

/** Waits until the run has finished (generously: the machine is shared). */
async function settled(call: Setup['call'], id: number): Promise<ExecutionSummary> {
  await expect
    .poll(async () => (await run(call, id)).status, { timeout: 10_000 })
    .toMatch(/^(succeeded|failed|dead_lettered|canceled)$/);
  return run(call, id);
}

const name = (instanceId: string) => (id: string | null) => (id === instanceId ? 'prod' : null);

describe('lineage: every retry links both ways', () => {
  it('single retry: the original is superseded by the new run, which says what it retried', async () => {
    const { call, emit, instanceId } = await setup();
    const bad = await emit('order.fail', { order: 1 });
    expect(await settled(call, bad)).toMatchObject({ status: 'dead_lettered', supersededByRun: null });

    const done = await call('runs:retry', { ids: [bad], dryRun: false });
    const [item] = done.results ?? [];
    expect(item).toMatchObject({
      id: bad,
      ok: true,
      outcome: 'queued',
      run: { id: bad, source: 'local' },
      newRun: { source: 'local', status: 'queued' },
    });
    const newId = item!.newId!;
    expect(await settled(call, newId)).toMatchObject({
      retryOfRun: { id: bad, source: 'local', status: 'dead_lettered' },
      retryKind: 'retry',
      supersededByRun: null,
    });
    expect(await run(call, bad)).toMatchObject({
      status: 'dead_lettered',
      supersededByRun: { id: newId, source: 'local', status: 'dead_lettered' },
    });
    const { chain } = await call('runs:lineage', { id: newId });
    expect(chain.map((n) => [n.run.id, n.depth, n.retryOfId, n.retryKind, n.payloadEdited])).toEqual([
      [bad, 0, null, null, false],
      [newId, 1, bad, 'retry', false],
    ]);
    // The same chain from either end.
    expect((await call('runs:lineage', { id: bad })).chain).toEqual(chain);
    const audit = await call('audit:list', { targetType: 'execution' });
    expect(audit.entries[0]).toMatchObject({
      action: 'execution.retry',
      details: { run: `FD-${bad}`, newRun: `FD-${newId}`, kind: 'retry' },
    });
    expect(formatRun((await run(call, bad)).supersededByRun!, name(instanceId))).toBe(`FD-${newId}`);
  });

  it('edited retry: marked edited, and a later dry run of the original warns it would send the old payload', async () => {
    const { call, emit } = await setup();
    const bad = await emit('order.fail', { order: 2, qty: 1 });
    await settled(call, bad);
    const done = await call('runs:retry', { ids: [bad], dryRun: false, payload: { order: 2, qty: 5 } });
    const newId = done.results![0]!.newId!;
    expect(await run(call, newId)).toMatchObject({ retryKind: 'edited', retryOfRun: { id: bad } });
    expect((await call('runs:detail', { id: newId })).payload).toEqual({ order: 2, qty: 5 });
    const { chain } = await call('runs:lineage', { id: bad });
    expect(chain.map((n) => [n.run.id, n.retryKind, n.payloadEdited])).toEqual([
      [bad, null, false],
      [newId, 'edited', true],
    ]);

    await settled(call, newId);
    const dry = await call('runs:retry', { ids: [bad], dryRun: true });
    expect(dry.results).toBeNull();
    expect(dry.preview.flagged).toEqual([
      expect.objectContaining({
        run: expect.objectContaining({ id: bad }),
        // No sync has run: whether n8n serves the path is not known, so it is not flagged.
        flags: ['already_retried', 'payload_edited'],
        retriedAs: expect.objectContaining({ id: newId }),
        message: expect.stringMatching(new RegExp(`^FD-${bad}: already retried as FD-${newId} .*edited`)),
      }),
    ]);
  });

  it('bulk retry: a dry run per mapping and workflow by name with flags, then each item with its new run', async () => {
    const { call, emit, n8n, refused, instanceId } = await setup();
    const failing = [
      await emit('order.fail', { n: 1 }),
      await emit('order.fail', { n: 2 }),
      await emit('order.fail', { n: 3 }),
    ];
    for (const id of failing) await settled(call, id);
    // One of them was retried already, and that retry succeeded (n8n now serves the path).
    n8n.addWorkflow('w2', 'Order failures', { path: 'fail' });
    refused.clear();
    const first = (await call('runs:retry', { ids: [failing[0]!], dryRun: false })).results![0]!.newId!;
    await settled(call, first);
    // Then the workflow is deactivated in n8n and the sync sees it: its webhook will answer 404.
    n8n.state.workflows.find((w) => w.id === 'w2')!.active = false;
    await call('instances:syncNow', { id: instanceId });

    const filter = { status: ['dead_lettered' as const], source: 'local' as const };
    const dry = await call('runs:retry', { filter, dryRun: true });
    expect(dry.preview).toMatchObject({ count: 3, skipped: 0, flaggedTotal: 3 });
    expect(dry.preview.byTarget).toEqual([
      expect.objectContaining({
        source: 'local',
        instanceName: 'prod',
        mappingName: 'Orders failing',
        count: 3,
        alreadyRetried: 1,
        webhookMissing: 3,
        payloadEdited: 0,
      }),
    ]);
    const flaggedFirst = dry.preview.flagged.find((f) => f.run.id === failing[0]);
    expect(flaggedFirst).toMatchObject({
      flags: ['already_retried', 'webhook_missing'],
      retriedAs: { id: first, status: 'succeeded' },
    });
    expect(flaggedFirst!.message).toContain(`already retried as FD-${first} (succeeded)`);
    expect(flaggedFirst!.message).toContain('n8n will answer 404');

    const skipping = await call('runs:retry', { filter, dryRun: true, skipRetried: true });
    expect(skipping.preview).toMatchObject({ count: 2, skipped: 1 });

    const done = await call('runs:retry', { filter, dryRun: false, skipRetried: true });
    expect(done.results!.map((r) => [r.id, r.outcome])).toEqual([
      [failing[0], 'skipped'],
      [failing[1], 'queued'],
      [failing[2], 'queued'],
    ]);
    expect(done.results![0]!.message).toBe(`Skipped: already retried as FD-${first}.`);
    for (const r of done.results!.slice(1)) {
      expect(r.newRun).toMatchObject({ source: 'local', status: 'queued' });
      expect(await run(call, r.newRun!.id)).toMatchObject({ retryKind: 'bulk', retryOfRun: { id: r.id } });
      expect(await run(call, r.id)).toMatchObject({ supersededByRun: { id: r.newRun!.id } });
    }
    // Their outcome, followed by id: n8n answers 404 now, as the dry run said.
    const newIds = done.results!.flatMap((r) => (r.newRun ? [r.newRun.id] : []));
    for (const id of newIds) await settled(call, id);
    expect((await call('runs:refs', { ids: [...newIds, 999_999] })).map((r) => r.status)).toEqual([
      'dead_lettered',
      'dead_lettered',
    ]);
  });

  it("n8n retry: n8n's new execution retries the synced one, both ways, and metrics count one run", async () => {
    const { call, n8n, instanceId } = await setup();
    const failed = n8n.addExecutions(1, 'w1', 'error', recent())[0]!;
    await call('instances:syncNow', { id: instanceId });
    const [original] = (await call('executions:list', { search: `n8n #${failed.id}` })).executions;
    expect(original).toMatchObject({ source: 'remote', remoteId: failed.id, status: 'failed' });

    const dry = await call('runs:retry', { ids: [original!.id], dryRun: true });
    expect(dry.preview.byTarget).toEqual([
      expect.objectContaining({ source: 'remote', workflowName: 'Orders', instanceName: 'prod', count: 1 }),
    ]);
    const done = await call('runs:retry', { ids: [original!.id], dryRun: false });
    expect(done.results).toEqual([
      expect.objectContaining({
        outcome: 'retried',
        run: expect.objectContaining({ id: original!.id }),
        newRun: expect.objectContaining({
          source: 'remote',
          remoteId: String(Number(failed.id) + 1),
          status: 'succeeded',
        }),
      }),
    ]);
    const retried = done.results![0]!.newRun!;
    expect(await run(call, retried.id)).toMatchObject({
      retryOf: failed.id,
      retryKind: 'n8n',
      retryOfRun: { id: original!.id },
    });
    expect(await run(call, original!.id)).toMatchObject({
      supersededByRun: { id: retried.id, remoteId: retried.remoteId },
    });
    expect(formatRun(retried, name(instanceId))).toBe(`n8n #${retried.remoteId} on prod`);
    // A later sync pass changes nothing of that.
    await call('instances:syncNow', { id: instanceId });
    expect(await run(call, original!.id)).toMatchObject({ supersededByRun: { id: retried.id } });

    // n8n refuses to retry a success: the dry run says so before anyone asks.
    const again = await call('runs:retry', { ids: [retried.id], dryRun: true });
    expect(again.preview.flagged[0]).toMatchObject({ flags: ['cannot_retry'] });

    const summary = await call('metrics:summary', { range: '1h', instanceId });
    expect(summary).toMatchObject({ total: 1, succeeded: 1, failed: 0, attempts: 2, failedAttempts: 1 });
  });
});

describe('search finds a run by either number', () => {
  it('FD-29, n8n #812, 29 and 812', async () => {
    const { call, emit, n8n, instanceId } = await setup();
    const local = await emit('order.ok', { note: 'plain' });
    await settled(call, local);
    const remote = n8n.addExecutions(1, 'w1', 'error', recent())[0]!;
    await call('instances:syncNow', { id: instanceId });
    const ids = async (search: string) =>
      (await call('executions:list', { search })).executions.map((e) => formatRun(e, name(instanceId))).sort();

    const remoteLabel = `n8n #${remote.id} on prod`;
    expect(await ids(`FD-${local}`)).toEqual([`FD-${local}`]);
    expect(await ids(`fd${local}`)).toEqual([`FD-${local}`]);
    expect(await ids(`n8n #${remote.id}`)).toEqual([remoteLabel]);
    expect(await ids(`n8n ${remote.id}`)).toEqual([remoteLabel]);
    expect(await ids(`#${remote.id}`)).toContain(remoteLabel);
    expect(await ids(String(local))).toContain(`FD-${local}`);
    expect(await ids('FD-999999')).toEqual([]);
    // Words still search payloads.
    expect(await ids('plain')).toEqual([`FD-${local}`]);
  });
});
