import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../testing/test-core';
import { startFakeN8n } from '../testing/fake-n8n';
import { ManualTimers } from '../testing/manual-timers';
import { waitUntil } from '../testing/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(
  options: { pageSize?: number; overlapIds?: number; front?: (baseUrl: string) => Promise<string> } = {},
) {
  const fake = await startFakeN8n();
  // The timers need the core's clock, which exists only once the core does.
  const ref: { timers?: ManualTimers } = {};
  const t = testCore({
    n8n: {
      retries: 0,
      pageSize: options.pageSize ?? 2,
      overlapIds: options.overlapIds ?? 1,
      intervalMs: 60_000,
      retryBaseMs: 5_000,
      random: () => 0.5,
      timers: {
        setTimeout: (fn, ms) => ref.timers!.setTimeout(fn, ms),
        clearTimeout: (h) => ref.timers!.clearTimeout(h),
      },
      // Instance health keeps its own (idle) timers: these tests count the sync's.
      health: { timers: { setTimeout: () => undefined, clearTimeout: () => undefined } },
    },
  });
  ref.timers = new ManualTimers(() => t.clock.now());
  cleanups.push(fake.close, t.cleanup);
  const added = await t.core.call('instances:add', {
    name: 'prod',
    baseUrl: options.front ? await options.front(fake.baseUrl) : fake.baseUrl,
    apiKey: fake.apiKey,
    environment: 'prod',
    color: '#2f6fed',
    syncEnabled: false,
  });
  if (!added.ok) throw new Error(added.error.message);
  const id = added.data.id;
  const sync = async () => {
    const r = await t.core.call('instances:syncNow', { id });
    if (!r.ok) throw new Error(r.error.message);
    return r.data;
  };
  const instance = async () => {
    const r = await t.core.call('instances:list', {});
    return r.ok ? r.data.instances[0]! : undefined;
  };
  const executions = async () => {
    const r = await t.core.call('executions:list', { limit: 500 });
    return r.ok ? r.data.executions : [];
  };
  return { fake, t, id, sync, instance, executions, timers: ref.timers };
}

/**
 * A proxy in front of the fake n8n whose executions list always answers the first page with
 * the same next cursor (a broken server or a caching proxy): paging it would never end.
 */
async function repeatingCursorFront(baseUrl: string): Promise<string> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', baseUrl);
      const listing = req.method === 'GET' && url.pathname === '/api/v1/executions';
      if (listing) url.searchParams.delete('cursor');
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (const name of ['x-n8n-api-key', 'content-type', 'accept']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const answer = await fetch(url, {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      let body = Buffer.from(await answer.arrayBuffer());
      if (listing && answer.ok) {
        const page = JSON.parse(body.toString('utf8')) as { nextCursor?: string | null };
        page.nextCursor = 'the-same-cursor';
        body = Buffer.from(JSON.stringify(page));
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('sync', () => {
  it('stores workflows (tags, nodes, webhook paths) and every execution across pages, with counts', async () => {
    const { fake, t, sync, instance, executions } = await setup();
    fake.addWorkflow('w1', 'Orders', { tags: ['shop'], path: 'orders' });
    fake.addWorkflow('w2', 'Refunds', { active: false });
    fake.addExecutions(3, 'w1');
    fake.addExecutions(1, 'w2', 'error');
    fake.addExecutions(1, 'w1', 'error', { mode: 'retry', retryOf: '4' });
    expect(await sync()).toMatchObject({ outcome: 'ok', workflows: 2, executions: 5 });
    expect((await instance())?.sync).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
    // The version is read beside the pass, not in it.
    await expect.poll(async () => (await instance())?.sync.n8nVersion).toBe('1.123.81');
    const rows = await executions();
    expect(rows.map((e) => e.remoteId)).toEqual(['5', '4', '3', '2', '1']);
    expect(rows[0]).toMatchObject({
      status: 'failed',
      retryOf: '4',
      mode: 'retry',
      workflowName: 'Orders',
      durationMs: 250,
    });
    const list = await t.core.call('workflows:list', { tag: 'shop' });
    expect(list).toMatchObject({
      data: {
        total: 1,
        workflows: [
          { name: 'Orders', webhookPaths: ['orders'], nodeCount: 2, executionCount: 4, lastStatus: 'failed' },
        ],
      },
    });
    expect(await t.core.call('workflows:list', { active: false, search: 'ref' })).toMatchObject({ data: { total: 1 } });
  });

  it('is idempotent and incremental: a second pass reads only down to what it stored', async () => {
    const { fake, sync, executions } = await setup();
    fake.addWorkflow('w1', 'Orders');
    fake.addExecutions(9, 'w1');
    await sync();
    const pagesFirst = fake.state.pagesServed;
    expect(pagesFirst).toBe(5);
    fake.addExecutions(2, 'w1');
    expect(await sync()).toMatchObject({ outcome: 'ok', executions: 2 });
    // 2 new + the overlap: two pages, not six.
    expect(fake.state.pagesServed - pagesFirst).toBe(2);
    const rows = await executions();
    expect(rows).toHaveLength(11);
    expect(new Set(rows.map((r) => r.remoteId)).size).toBe(11);
  });

  it('loses and duplicates nothing when n8n drops mid-pass, and shows it offline meanwhile', async () => {
    const { fake, sync, instance, executions } = await setup();
    fake.addWorkflow('w1', 'Orders');
    fake.addExecutions(7, 'w1');
    fake.state.failAfterPages = 2;
    expect(await sync()).toMatchObject({ outcome: 'failed', errorCode: 'N8N_UNREACHABLE', executions: 4 });
    expect((await instance())?.sync).toMatchObject({
      state: 'offline',
      lastErrorCode: 'N8N_UNREACHABLE',
      consecutiveFailures: 1,
    });
    expect(await executions()).toHaveLength(4);
    fake.state.failAfterPages = undefined;
    expect(await sync()).toMatchObject({ outcome: 'ok', executions: 3 });
    const rows = await executions();
    expect(rows.map((r) => r.remoteId)).toEqual(['7', '6', '5', '4', '3', '2', '1']);
    expect((await instance())?.sync).toMatchObject({ state: 'ok', lastError: null, consecutiveFailures: 0 });
  });

  it('refreshes an execution that was running when it was stored', async () => {
    const { fake, sync, executions } = await setup({ pageSize: 2, overlapIds: 0 });
    fake.addWorkflow('w1', 'Orders');
    const [first] = fake.addExecutions(1, 'w1', 'running', { stoppedAt: null });
    fake.addExecutions(4, 'w1');
    await sync();
    expect((await executions()).at(-1)).toMatchObject({ remoteId: '1', status: 'running' });
    first!.status = 'success';
    first!.stoppedAt = new Date(Date.parse(first!.startedAt) + 100).toISOString();
    await sync();
    expect((await executions()).at(-1)).toMatchObject({ remoteId: '1', status: 'succeeded', durationMs: 100 });
  });

  it('ends a first sync against a server that repeats its page cursor, with what it stored so far', async () => {
    const { fake, sync, instance, executions } = await setup({ front: repeatingCursorFront });
    fake.addWorkflow('w1', 'Orders');
    fake.addExecutions(5, 'w1');
    expect(await sync()).toMatchObject({
      outcome: 'failed',
      errorCode: 'N8N_BAD_RESPONSE',
      error: expect.stringMatching(/cursor it had already given/),
    });
    expect((await instance())?.sync.state).toBe('error');
    expect((await executions()).map((e) => e.remoteId).sort()).toEqual(['4', '5']);
  });

  it('keeps the store unchanged on a malformed answer and says so', async () => {
    const { fake, sync, instance, executions } = await setup();
    fake.addWorkflow('w1', 'Orders');
    fake.addExecutions(2, 'w1');
    fake.state.garble = true;
    expect(await sync()).toMatchObject({ outcome: 'failed', errorCode: 'N8N_BAD_RESPONSE' });
    expect((await instance())?.sync.state).toBe('error');
    expect(await executions()).toEqual([]);
  });

  it('runs in the background on its interval and backs off while n8n is unreachable', async () => {
    const { fake, t, id, timers, instance } = await setup();
    fake.addWorkflow('w1', 'Orders');
    await t.core.call('instances:update', { id, patch: { syncEnabled: true } });
    expect(timers.delays()).toEqual([0]);
    fake.state.failWith = 503;
    // A pass has ended once it planned the next one and the instance is no longer syncing.
    const settle = () =>
      waitUntil(
        'the sync pass to end',
        async () => timers.pending.size === 1 && (await instance())?.sync.state !== 'syncing',
      );
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(timers.delays()[0]!);
      timers.fireDue();
      await settle();
      delays.push(timers.delays()[0]!);
    }
    expect(delays).toEqual([5_000, 10_000, 20_000]);
    expect((await instance())?.sync).toMatchObject({
      state: 'offline',
      consecutiveFailures: 3,
      nextSyncAtMs: t.clock.now() + 20_000,
    });
    fake.state.failWith = undefined;
    t.clock.advance(20_000);
    timers.fireDue();
    await settle();
    expect((await instance())?.sync.state).toBe('ok');
    expect(timers.delays()).toEqual([60_000]);
  });

  it('removing an instance mid-pass stops the pass, leaves no rows and plans nothing more', async () => {
    const { fake, t, id, timers } = await setup();
    fake.addWorkflow('w1', 'Orders');
    fake.addExecutions(20, 'w1');
    await t.core.call('instances:update', { id, patch: { syncEnabled: true } });
    timers.fireDue(); // the background pass starts
    expect(await t.core.call('instances:remove', { id })).toEqual({ ok: true, data: { id } });
    expect(timers.delays()).toEqual([]);
    expect(await t.core.call('executions:list', {})).toMatchObject({ data: { executions: [] } });
    expect(await t.core.call('workflows:list', {})).toMatchObject({ data: { total: 0 } });
  });

  it('activates and deactivates a workflow in n8n, with an audit entry', async () => {
    const { fake, t, id, sync } = await setup();
    fake.addWorkflow('w1', 'Orders', { active: false });
    await sync();
    const result = await t.core.call('workflows:setActive', {
      instanceId: id,
      workflowId: 'w1',
      active: true,
      reason: 'launch',
    });
    expect(result).toMatchObject({ ok: true, data: { active: true } });
    expect(fake.state.workflows[0]?.active).toBe(true);
    const audit = await t.core.call('audit:list', { action: 'workflow.activate' });
    expect(audit).toMatchObject({ data: { entries: [{ reason: 'launch', targetId: `${id}/w1` }] } });
    expect(
      await t.core.invoke('workflows:setActive', { instanceId: id, workflowId: 'w1', active: 'yes' }),
    ).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it('pages the local list with a cursor and filters by status and time, and shows per-node data', async () => {
    const { fake, t, sync } = await setup();
    fake.addWorkflow('w1', 'Orders');
    fake.addExecutions(5, 'w1');
    fake.addExecutions(2, 'w1', 'error');
    await sync();
    const first = await t.core.call('executions:list', { limit: 3 });
    if (!first.ok) throw new Error();
    const second = await t.core.call('executions:list', { limit: 3, cursor: first.data.nextCursor! });
    const third = await t.core.call('executions:list', { limit: 3, cursor: second.ok ? second.data.nextCursor! : '' });
    const ids = [first, second, third].flatMap((r) => (r.ok ? r.data.executions.map((e) => e.remoteId) : []));
    expect(ids).toEqual(['7', '6', '5', '4', '3', '2', '1']);
    expect(third.ok && third.data.nextCursor).toBe(null);
    expect(await t.core.call('executions:list', { status: ['failed'] })).toMatchObject({
      data: { executions: [{}, {}] },
    });
    const from = Date.UTC(2026, 0, 1) + 3_000;
    const inRange = await t.core.call('executions:list', { fromMs: from, toMs: from + 2_000 });
    expect(inRange.ok && inRange.data.executions.map((e) => e.remoteId)).toEqual(['4', '3']);
    expect(await t.core.invoke('executions:list', { cursor: 'garbage' })).toMatchObject({
      error: { code: 'VALIDATION' },
    });

    const failed = first.data.executions[0]!;
    const detail = await t.core.call('executions:get', { id: failed.id });
    expect(detail).toMatchObject({
      ok: true,
      data: {
        execution: { error: 'deliberate failure' },
        nodes: [
          { node: 'Webhook', items: 1, error: null },
          { node: 'Set', durationMs: 5, error: 'deliberate failure' },
        ],
        note: null,
      },
    });
    fake.state.failWith = 503;
    const offline = await t.core.call('executions:get', { id: failed.id });
    expect(offline).toMatchObject({ data: { nodes: [{ node: 'Webhook' }, { node: 'Set' }] } });
    expect(offline.ok && offline.data.note).toContain('Showing the copy');
  });
});
