import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { testCore } from '../testing/test-core';
import { createSqliteJobStore } from './sqlite-job-store';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A core, plus a second connection to its file standing in for the dispatcher that enqueues. */
function fresh() {
  const t = testCore();
  const store = openStore({ dataDir: t.dataDir, bus: new EventBus(), migrations, now: () => t.clock.now() });
  cleanups.push(t.cleanup, () => store.close());
  const jobs = createSqliteJobStore({ store, clock: t.clock });
  const add = () => jobs.enqueue({ instanceId: 'i1', mappingId: 'm1', payload: {} }).job.id;
  return { ...t, jobs, add };
}

const auditActions = async (core: ReturnType<typeof fresh>['core']) => {
  const list = await core.call('audit:list', {});
  return list.ok ? list.data.entries.map((e) => ({ action: e.action, reason: e.reason, targetId: e.targetId })) : [];
};

describe('queue module', () => {
  it('reports counts per state and instance', async () => {
    const { core, add } = fresh();
    add();
    add();
    const stats = await core.call('queue:stats', {});
    expect(stats.ok && stats.data.total.waiting).toBe(2);
    expect(stats.ok && stats.data.byInstance.i1?.waiting).toBe(2);
  });

  it('pauses and resumes an instance, auditing each with its reason', async () => {
    const { core, jobs, add } = fresh();
    add();
    const paused = await core.call('queue:pause', { instanceId: 'i1', reason: 'n8n upgrade' });
    expect(paused.ok && paused.data.pausedInstances).toEqual(['i1']);
    expect(jobs.claim({ limit: 10, leaseMs: 1_000 })).toEqual([]);
    await core.call('queue:resume', { instanceId: 'i1' });
    expect(jobs.claim({ limit: 10, leaseMs: 1_000 })).toHaveLength(1);
    expect(await auditActions(core)).toEqual([
      { action: 'queue.resume', reason: null, targetId: 'i1' },
      { action: 'queue.pause', reason: 'n8n upgrade', targetId: 'i1' },
    ]);
  });

  it('cancels queued jobs and requeues dead ones, audited', async () => {
    const { core, jobs, add } = fresh();
    const [a, b] = [add(), add()];
    expect(await core.call('queue:cancel', { ids: [a], reason: 'sent by mistake' })).toEqual({
      ok: true,
      data: { jobs: [{ id: a, state: 'canceled' }] },
    });
    const [claimed] = jobs.claim({ limit: 1, leaseMs: 1_000 });
    jobs.fail({ id: b, leaseToken: claimed!.leaseToken, error: 'HTTP 404', unrecoverable: true });
    expect(await core.call('queue:requeueDead', { ids: [b] })).toEqual({
      ok: true,
      data: { jobs: [{ id: b, state: 'waiting' }] },
    });
    expect((await auditActions(core)).map((e) => e.action)).toEqual(['queue.requeue_dead', 'queue.cancel']);
  });

  it('refuses bad input with a clear code, changing nothing and auditing nothing', async () => {
    const { core, jobs, add } = fresh();
    const a = add();
    const cases: [string, unknown, string][] = [
      ['queue:cancel', { ids: [] }, 'VALIDATION'],
      ['queue:cancel', { ids: [a], extra: 1 }, 'VALIDATION'],
      ['queue:cancel', { ids: [-1] }, 'VALIDATION'],
      ['queue:cancel', { ids: [a, 999] }, 'NOT_FOUND'],
      ['queue:requeueDead', { ids: [a] }, 'CONFLICT'],
      ['queue:pause', { instanceId: '' }, 'VALIDATION'],
      ['queue:pause', {}, 'VALIDATION'],
    ];
    for (const [channel, input, code] of cases) {
      const result = await core.invoke(channel, input);
      expect(result.ok ? 'ok' : result.error.code, `${channel} ${JSON.stringify(input)}`).toBe(code);
    }
    expect(jobs.get(a).state).toBe('waiting');
    expect(jobs.counts().pausedInstances).toEqual([]);
    expect(await auditActions(core)).toEqual([]);
  });

  it('announces queue:changed with the counts after a change', async () => {
    const { core } = fresh();
    const seen: unknown[] = [];
    core.subscribe((event, payload) => event === 'queue:changed' && seen.push(payload));
    await core.call('queue:pause', { instanceId: 'i9' });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toMatchObject({ pausedInstances: ['i9'] });
  });

  it('names instances and mappings in the overview, never bare ids, and marks removed ones', async () => {
    const { core, jobs } = fresh();
    const instance = await core.call('instances:add', {
      name: 'prod',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'key-0000-0000',
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    if (!instance.ok) throw new Error('instance');
    const mapping = await core.call('mappings:create', {
      mapping: { event: 'order.created', name: 'Orders', instanceId: instance.data.id, webhookPath: 'orders' },
    });
    if (!mapping.ok) throw new Error('mapping');
    jobs.enqueue({ instanceId: instance.data.id, mappingId: mapping.data.id, payload: {} });
    jobs.enqueue({ instanceId: 'gone', mappingId: 'gone-too', payload: {} });
    const overview = await core.call('queue:overview', {});
    if (!overview.ok) throw new Error('overview');
    expect(overview.data.instances.map((i) => [i.name, i.removed, i.counts.waiting])).toEqual([
      ['prod', false, 1],
      ['removed instance', true, 1],
    ]);
    expect(overview.data.mappings.map((m) => [m.name, m.instanceName, m.counts.waiting])).toEqual([
      ['Orders', 'prod', 1],
      ['removed mapping', null, 1],
    ]);
    expect(overview.data.holdLimitMs).toBe(7 * 86_400_000);
    const listed = await core.call('queue:jobs', { states: ['waiting'] });
    expect(listed.ok && listed.data.jobs.map((j) => [j.mappingName, j.instanceName])).toEqual([
      ['removed mapping', 'removed instance'],
      ['Orders', 'prod'],
    ]);
  });

  it('pauses a mapping, purges with a scope and keeps the hold limit, each audited; refuses bad input', async () => {
    const { core, jobs } = fresh();
    const unknown = await core.call('queue:pauseMapping', { mappingId: 'nope' });
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('NOT_FOUND');
    const instance = await core.call('instances:add', {
      name: 'prod',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'key-0000-0000',
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    if (!instance.ok) throw new Error('instance');
    const mapping = await core.call('mappings:create', {
      mapping: { event: 'order.created', instanceId: instance.data.id, webhookPath: 'orders' },
    });
    if (!mapping.ok) throw new Error('mapping');
    const m1 = mapping.data.id;
    await core.call('queue:pauseMapping', { mappingId: m1, reason: 'fixing the workflow' });
    expect(jobs.counts().pausedMappings).toEqual([m1]);
    await core.call('queue:resumeMapping', { mappingId: m1 });
    expect(await core.call('queue:purge', { state: 'completed', mappingId: m1 })).toEqual({
      ok: true,
      data: { purged: 0 },
    });
    const bad = await core.invoke('queue:updateSettings', { settings: { holdLimitMs: 1 } });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('VALIDATION');
    const set = await core.call('queue:updateSettings', { settings: { holdLimitMs: 2 * 86_400_000 } });
    expect(set.ok && set.data.holdLimitMs).toBe(2 * 86_400_000);
    expect((await core.call('queue:getSettings', {})).ok).toBe(true);
    const purgeBad = await core.invoke('queue:purge', { state: 'waiting' });
    expect(purgeBad.ok ? 'ok' : purgeBad.error.code).toBe('VALIDATION');
    expect((await auditActions(core)).map((e) => e.action).slice(0, 4)).toEqual([
      'queue.settings',
      'queue.purge',
      'queue.resume_mapping',
      'queue.pause_mapping',
    ]);
  });
});
