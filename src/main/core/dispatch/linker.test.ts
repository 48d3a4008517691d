import { afterEach, describe, expect, it } from 'vitest';
import type { CallInput, ExecutionSummary } from '../../../shared/contract';
import { systemClock } from '../clock';
import { createCore, type Core } from '../create-core';
import { tempDir } from '../testing/test-core';
import { startFakeN8n, type FakeN8n } from '../testing/fake-n8n';
import { addRunWorkflow, setRunMode, type FakeRunMode } from '../testing/fake-n8n-runs';

// The linker against the loopback fake n8n, which hides what real n8n hides (runs it still runs
// in memory, waiting ones on 1.x): every run linked once, waits in the inbox, unconfirmed runs flagged.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function ok<T>(p: Promise<{ ok: true; data: T } | { ok: false; error: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data;
}

async function setup(
  line: 1 | 2,
  options: { unconfirmedAfterMs?: number; instance?: Partial<CallInput<'instances:add'>> } = {},
) {
  const n8n = await startFakeN8n({ version: line === 1 ? '1.123.81' : '2.41.1' });
  const dir = tempDir();
  const core = createCore({
    dataDir: dir.path,
    clock: systemClock,
    metrics: { pollMs: 0 },
    n8n: { retries: 0 },
    linker: { intervalMs: 40, unconfirmedAfterMs: options.unconfirmedAfterMs ?? 60_000, slowEveryMs: 200 },
  });
  cleanups.push(
    n8n.close,
    () => dir.remove(),
    () => core.close(),
  );
  const instance = await ok(
    core.call('instances:add', {
      name: 'fake',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
      ...options.instance,
    }),
  );
  const route = async (event: string, workflow: { id: string; name: string; mode: FakeRunMode }, name = event) => {
    addRunWorkflow(n8n, { ...workflow, path: `hook-${workflow.id}` });
    await ok(
      core.call('mappings:create', {
        mapping: {
          event,
          name,
          instanceId: instance.id,
          workflowId: workflow.id,
          webhookPath: `hook-${workflow.id}`,
          retry: { attempts: 1 },
        },
      }),
    );
  };
  const emit = async (event: string, payload: unknown) =>
    (await ok(core.call('ingest:emit', { event, payload }))).executionIds[0] as number;
  const rows = async () => (await ok(core.call('executions:list', { limit: 500 }))).executions;
  const run = async (id: number) => (await rows()).find((r) => r.id === id);
  /** Executions n8n stored, oldest first. */
  const runs = () => n8n.state.executions;
  /** GET /executions/{id} calls made so far. */
  const probes = () => n8n.state.requests.filter((r) => /^GET \/api\/v1\/executions\/\d+/.test(r)).length;
  /** Starts an execution from outside Flightdeck (someone else calling the webhook): no Flightdeck headers. */
  const startDirect = (path: string, body: unknown) =>
    fetch(`${n8n.baseUrl}/webhook/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.arrayBuffer());
  return { n8n, core, instanceId: instance.id, route, emit, rows, run, runs, probes, startDirect };
}

const until = <T>(fn: () => Promise<T | undefined | false>, timeout = 10_000) =>
  expect.poll(fn, { timeout, interval: 50 }).toBeTruthy();

describe('linker', () => {
  it('links every run of a burst exactly once, also when the sync stored the executions first', async () => {
    const { core, instanceId, route, emit, rows, runs } = await setup(1);
    await route('order.created', { id: 'w1', name: 'Orders', mode: 'lastNode' });
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) {
      ids.push(await emit('order.created', { i }));
      // The sync races the linker: some executions are stored as synced rows before the link.
      if (i % 30 === 29) await ok(core.call('instances:syncNow', { id: instanceId }));
    }
    await until(async () => (await rows()).filter((r) => ids.includes(r.id) && r.remoteId).length === 120);
    await ok(core.call('instances:syncNow', { id: instanceId }));
    const all = await rows();
    expect(runs()).toHaveLength(120);
    expect(all).toHaveLength(120); // one row per n8n execution: no synced duplicates
    expect(all.every((r) => r.source === 'local' && r.status === 'succeeded')).toBe(true);
    expect(new Set(all.map((r) => r.remoteId)).size).toBe(120);
    // Each run is linked to the execution that carries its own id.
    for (const r of all) {
      const execution = runs().find((e) => String(e.id) === r.remoteId);
      expect(execution?.headers?.['x-flightdeck-execution-id']).toBe(String(r.id));
    }
  });

  it.each([1, 2] as const)(
    'n8n %i.x: a dispatched run that n8n holds waiting is linked, titled in the inbox, and resumed',
    async (line) => {
      const { core, route, emit, run, runs, probes } = await setup(line);
      await route('refund.requested', { id: 'w2', name: 'Refund approval', mode: 'wait' }, 'Refunds');
      const id = await emit('refund.requested', { amount: 42, customer: 'ana' });
      await until(async () => (await run(id))?.status === 'waiting');
      await until(async () => (await ok(core.call('approvals:list', {}))).items.length > 0);
      const { items } = await ok(core.call('approvals:list', {}));
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        kind: 'wait',
        executionId: id,
        summary: 'Refunds: amount: 42, customer: ana',
        payload: { amount: 42, customer: 'ana' },
      });
      if (line === 1) expect(probes()).toBeGreaterThan(0); // hidden from the list: found by id
      await ok(core.call('approvals:decide', { id: items[0]!.id, decision: 'approve' }));
      await until(async () => runs()[0]?.status === 'success');
      expect(runs()[0]?.resumedWith).toMatchObject({ approved: true });
      await until(async () => (await run(id))?.status === 'succeeded');
    },
  );

  it('a webhook answer that names a waiting execution makes the run waiting', async () => {
    const { core, route, emit, run } = await setup(1);
    await route('payout', { id: 'w3', name: 'Payout', mode: 'respondId' });
    const id = await emit('payout', { amount: 900 });
    await until(async () => (await run(id))?.status === 'waiting');
    expect((await run(id))?.remoteId).toBe('1');
    await until(async () => (await ok(core.call('approvals:list', {}))).items.length > 0);
    const { items } = await ok(core.call('approvals:list', {}));
    expect(items.map((i) => i.summary)).toEqual(['payout: amount: 900']);
  });

  it('links a run n8n still runs (left out of the list) as running, then follows it to the end', async () => {
    const { n8n, route, emit, run } = await setup(2);
    await route('report', { id: 'w4', name: 'Report', mode: 'running' });
    const id = await emit('report', {});
    await until(async () => (await run(id))?.status === 'running');
    expect((await run(id))?.remoteId).toBe('1');
    n8n.finishExecution('1');
    await until(async () => (await run(id))?.status === 'succeeded');
  });

  it('flags a run n8n acknowledged but never shows as unconfirmed; Retry sends it again', async () => {
    const { n8n, core, route, emit, run, rows } = await setup(1, { unconfirmedAfterMs: 300 });
    await route('invoice', { id: 'w5', name: 'Invoices', mode: 'crash' });
    const id = await emit('invoice', { n: 1 });
    await until(async () => (await run(id))?.unconfirmedAtMs != null);
    expect(await run(id)).toMatchObject({ status: 'succeeded', remoteId: null });
    setRunMode(n8n, 'w5', 'lastNode');
    const [result] = (await ok(core.call('runs:retry', { ids: [id], dryRun: false }))).results ?? [];
    expect(result).toMatchObject({ ok: true });
    await until(async () => (await run(result!.newId!))?.remoteId);
    const all: ExecutionSummary[] = await rows();
    expect(all.find((r) => r.id === result!.newId)).toMatchObject({ status: 'succeeded', unconfirmedAtMs: null });
  });

  it.each([1, 2] as const)(
    'n8n %i.x: waits started directly in n8n reach the inbox where the instance opted in, for its chosen workflows only',
    async (line) => {
      const { n8n, core, instanceId, route, emit, run, runs, startDirect } = await setup(line, {
        instance: { waitInbox: { enabled: true, workflowIds: ['w-direct', 'w-timed', 'w-get'] } },
      });
      for (const [id, mode] of [
        ['w-direct', 'wait'],
        ['w-other', 'wait'],
        ['w-timed', 'timed'],
        ['w-get', 'waitGet'],
      ] as const)
        addRunWorkflow(n8n, { id, name: `Flow ${id}`, path: `direct-${id}`, mode });
      await startDirect('direct-w-other', { skip: true }); // not chosen
      await startDirect('direct-w-timed', { later: true }); // a timed wait: never
      await startDirect('direct-w-get', { get: true }); // resumes on GET: a decision cannot resume it
      await startDirect('direct-w-direct', { amount: 7, reason: 'refund' });
      await until(async () => (await ok(core.call('approvals:list', {}))).items.length > 0);
      // A dispatched run afterwards proves the watch looked past every direct execution.
      await route('sentinel', { id: 'w-sentinel', name: 'Sentinel', mode: 'lastNode' });
      const sentinel = await emit('sentinel', {});
      await until(async () => (await run(sentinel))?.remoteId);
      await ok(core.call('instances:syncNow', { id: instanceId }));
      const { items } = await ok(core.call('approvals:list', {}));
      expect(items.map((i) => [i.summary, i.executionId, i.remoteExecutionId])).toEqual([
        ['Flow w-direct: amount: 7, reason: refund', null, '4'],
      ]);
      await ok(core.call('approvals:decide', { id: items[0]!.id, decision: 'reject', comment: 'no' }));
      await until(async () => runs().find((r) => r.id === '4')?.status === 'success');
      expect(runs().find((r) => r.id === '4')?.resumedWith).toMatchObject({ approved: false, comment: 'no' });
    },
  );

  it('leaves waits started in n8n out of the inbox where the instance did not opt in', async () => {
    const { n8n, core, route, emit, run, startDirect } = await setup(1);
    addRunWorkflow(n8n, { id: 'w-direct', name: 'Direct', path: 'direct', mode: 'wait' });
    await startDirect('direct', { amount: 7 });
    await route('sentinel', { id: 'w-sentinel', name: 'Sentinel', mode: 'lastNode' });
    const sentinel = await emit('sentinel', {});
    await until(async () => (await run(sentinel))?.remoteId);
    await new Promise((r) => setTimeout(r, 200)); // a few more passes
    expect((await ok(core.call('approvals:list', {}))).items).toEqual([]);
  });
});

describe('core wiring', () => {
  it('keeps instance options through partial updates', async () => {
    const { core, instanceId } = await setup(1, {
      instance: { publicWebhookUrl: 'https://n8n.example.com/', waitInbox: { enabled: true, workflowIds: ['a'] } },
    });
    const updated = await ok(core.call('instances:update', { id: instanceId, patch: { name: 'renamed' } }));
    expect(updated).toMatchObject({
      name: 'renamed',
      publicWebhookUrl: 'https://n8n.example.com',
      waitInbox: { enabled: true, workflowIds: ['a'] },
    });
    const off = await ok(
      core.call('instances:update', {
        id: instanceId,
        patch: { publicWebhookUrl: null, waitInbox: { enabled: false, workflowIds: [] } },
      }),
    );
    expect(off).toMatchObject({ publicWebhookUrl: null, waitInbox: { enabled: false, workflowIds: [] } });
    expect(
      await core.call('instances:update', { id: instanceId, patch: { publicWebhookUrl: 'ftp://x' } }),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

export type { Core, FakeN8n };
