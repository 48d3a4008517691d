import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock';
import { createCore, type Core } from '../create-core';
import { startFakeN8n } from '../testing/fake-n8n';
import { webhookWorkflow } from '../testing/n8n-workflows';
import { tempDir } from '../testing/test-core';
import { waitUntil } from '../testing/wait';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A whole core against the loopback fake n8n: workflow 'ok' succeeds, 'fail' answers 422 (cannot succeed). */
async function consoleWithN8n() {
  const n8n = await startFakeN8n();
  n8n.addWorkflow('wf-ok', 'OK', { nodes: webhookWorkflow({ path: 'ok' }).nodes });
  n8n.addWorkflow('wf-fail', 'Fail', { nodes: webhookWorkflow({ path: 'fail' }).nodes });
  n8n.state.doorFault = (call) => (call.path === '/webhook/fail' ? { status: 422 } : undefined);
  const hits = {
    filter: (test: (path: string) => boolean) => n8n.state.doorCalls.map((c) => c.path).filter(test),
    paths: () => n8n.state.doorCalls.map((c) => c.path),
  };
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock });
  cleanups.push(
    dir.remove,
    () => n8n.close(),
    () => core.close(),
  );
  const data = async <T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>): Promise<T> => {
    const r = await p;
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.data as T;
  };
  const instance = await data(
    core.call('instances:add', {
      name: 'local',
      baseUrl: n8n.baseUrl,
      apiKey: 'test-key-123456',
      environment: 'dev',
      color: '#2f6fed',
      syncEnabled: false,
    }),
  );
  for (const [event, webhookPath] of [
    ['order.ok', 'ok'],
    ['order.fail', 'fail'],
  ] as const) {
    await data(
      core.call('mappings:create', {
        mapping: { event, instanceId: instance.id, webhookPath, retry: { attempts: 1 } },
      }),
    );
  }
  return { core, data, hits, instanceId: instance.id };
}

function settled(core: Core, id: number) {
  return waitUntil(`run ${id} to settle`, async () => {
    const r = await core.call('executions:list', {});
    const run = r.ok ? r.data.executions.find((e) => e.id === id) : undefined;
    return run && ['succeeded', 'dead_lettered', 'canceled'].includes(run.status) ? run : undefined;
  });
}

describe('run actions through the contract', () => {
  it('shows attempts, retries with a dry run first, requeues dead letters and finds runs by search', async () => {
    const { core, data, hits } = await consoleWithN8n();
    const [bad] = (await data(core.call('ingest:emit', { event: 'order.fail', payload: { customer: 'acme corp' } })))
      .executionIds;
    const [good] = (await data(core.call('ingest:emit', { event: 'order.ok', payload: { customer: 'zeta' } })))
      .executionIds;
    expect(await settled(core, bad!)).toMatchObject({ status: 'dead_lettered' });
    expect(await settled(core, good!)).toMatchObject({ status: 'succeeded' });

    const detail = await data(core.call('runs:detail', { id: bad! }));
    expect(detail.job?.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'failed', httpStatus: 422 })]);
    expect(detail.request).toMatchObject({ method: 'POST', body: { customer: 'acme corp' } });

    const found = await data(core.call('executions:list', { search: 'acme' }));
    expect(found.executions.map((e) => e.id)).toEqual([bad]);

    const dry = await data(core.call('runs:retry', { filter: { status: ['dead_lettered'] } }));
    expect(dry).toMatchObject({
      preview: { count: 1, byTarget: [expect.objectContaining({ source: 'local', count: 1 })] },
      results: null,
    });

    const edited = await data(
      core.call('runs:retry', { ids: [good!], dryRun: false, payload: { customer: 'edited' } }),
    );
    const newId = edited.results?.[0]?.newId;
    expect(edited.results).toMatchObject([{ id: good, ok: true, newId: expect.any(Number), message: null }]);
    expect(await settled(core, newId!)).toMatchObject({
      status: 'succeeded',
      retryOf: null,
      retryOfRun: { id: good, source: 'local' },
      retryKind: 'edited',
    });
    expect((await data(core.call('runs:detail', { id: newId! }))).payload).toEqual({ customer: 'edited' });

    const before = hits.filter((h) => h === '/webhook/fail').length;
    expect(await data(core.call('runs:requeue', { ids: [bad!, 999_999] }))).toEqual([
      { id: bad, ok: true, newId: null, message: null },
      { id: 999_999, ok: false, newId: null, message: 'No run 999999.' },
    ]);
    expect(await settled(core, bad!)).toMatchObject({ status: 'dead_lettered' });
    expect(hits.filter((h) => h === '/webhook/fail').length).toBe(before + 1);

    const audit = await data(core.call('audit:list', { targetType: 'execution' }));
    expect(audit.entries.map((e) => e.action)).toEqual(['execution.requeue', 'execution.retry']);
  });

  it('cancels queued runs of a paused instance', async () => {
    const { core, data, instanceId, hits } = await consoleWithN8n();
    await data(core.call('queue:pause', { instanceId }));
    const [id] = (await data(core.call('ingest:emit', { event: 'order.ok', payload: {} }))).executionIds;
    expect(await data(core.call('runs:cancel', { ids: [id!], reason: 'not needed' }))).toEqual([
      { id, ok: true, newId: null, message: null },
    ]);
    expect(await settled(core, id!)).toMatchObject({ status: 'canceled' });
    expect(await data(core.call('runs:cancel', { ids: [id!] }))).toEqual([
      expect.objectContaining({ id, ok: false, message: expect.stringMatching(/.+/) }),
    ]);
    await data(core.call('queue:resume', { instanceId }));
    // A drain, not a sleep: a run queued after the canceled one is delivered; by then the worker
    // has passed the canceled one, which must not have reached n8n.
    const [after] = (await data(core.call('ingest:emit', { event: 'order.ok', payload: {} }))).executionIds;
    expect(await settled(core, after!)).toMatchObject({ status: 'succeeded' });
    expect(hits.paths()).toEqual(['/webhook/ok']);
  });

  it('keeps saved views and rejects malformed bulk requests', async () => {
    const { core, data } = await consoleWithN8n();
    const view = await data(
      core.call('runs:saveView', { name: 'Failures', filter: { status: ['failed', 'dead_lettered'] } }),
    );
    expect(await data(core.call('runs:listViews', {}))).toEqual([view]);
    await data(core.call('runs:removeView', { id: view.id }));
    expect(await core.call('runs:removeView', { id: view.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    for (const bad of [
      { ids: [1], filter: {} },
      {},
      { ids: [1, 2], payload: { x: 1 } },
      { filter: { status: ['exploded'] } },
    ]) {
      expect(await core.invoke('runs:retry', bad)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
  });
});
