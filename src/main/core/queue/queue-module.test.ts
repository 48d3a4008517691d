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
});
