import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock';
import { createCore } from '../create-core';
import { editDistance, pathServes } from '../mappings/route-check';
import { startFakeN8n } from '../testing/fake-n8n';
import { webhookWorkflow } from '../testing/n8n-workflows';
import { tempDir } from '../testing/test-core';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const data = async <T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as T;
};

/** A whole core synced from the loopback fake n8n: two live workflows and an inactive one. */
async function syncedConsole() {
  const n8n = await startFakeN8n();
  n8n.addWorkflow('wf-cust', 'Customer updated', { nodes: webhookWorkflow({ path: 'customer-updated' }).nodes });
  n8n.addWorkflow('wf-ord', 'Orders by id', { nodes: webhookWorkflow({ path: 'orders/:id' }).nodes });
  n8n.addWorkflow('wf-off', 'Refunds (draft)', {
    active: false,
    nodes: webhookWorkflow({ path: 'refund-requested' }).nodes,
  });
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock, checkOutputs: true });
  cleanups.push(
    dir.remove,
    () => n8n.close(),
    () => core.close(),
  );
  const add = (name: string, syncEnabled: boolean) =>
    data(
      core.call('instances:add', {
        name,
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment: 'dev',
        color: '#2f6fed',
        syncEnabled,
      }),
    );
  const prod = await add('prod', false);
  await data(core.call('instances:syncNow', { id: prod.id }));
  const fresh = await add('fresh', false);
  return { core, prod, fresh };
}

describe('webhook paths', () => {
  it.each([
    ['orders/:id', 'orders/42', true],
    ['orders/:id', 'orders', false],
    ['orders/:id', 'orders/', false],
    ['/customer-updated/', 'customer-updated', true],
    ['customer-updated', 'customer-updatd', false],
  ])('%s serves %s: %s', (served, requested, expected) => {
    expect(pathServes(served, requested)).toBe(expected);
  });

  it('measures the distance of a typo and stops early past the limit', () => {
    expect(editDistance('customer-updatd', 'customer-updated', 3)).toBe(1);
    expect(editDistance('abc', 'xyz', 3)).toBe(3);
    expect(editDistance('short', 'a-much-longer-path', 2)).toBe(3);
  });
});

describe('pickers and the mapping route check through the contract', { timeout: 30_000 }, () => {
  it('offers instances, synced workflows with their paths and live state, mappings and events seen', async () => {
    const { core, prod } = await syncedConsole();
    await data(
      core.call('mappings:create', {
        mapping: { event: 'customer.updated', instanceId: prod.id, webhookPath: 'customer-updated', name: 'CRM sync' },
      }),
    );
    await data(core.call('ingest:emit', { event: 'customer.updated', payload: { id: 1 } }));
    // A mapping removed after its run: its event stays choosable (seen), no longer mapped.
    const old = await data(
      core.call('mappings:create', { mapping: { event: 'order.paid', instanceId: prod.id, webhookPath: 'orders/1' } }),
    );
    await data(core.call('ingest:emit', { event: 'order.paid', payload: {} }));
    await data(core.call('mappings:remove', { id: old.id }));

    const options = await data(core.call('pickers:options', {}));
    expect(options.instances.map((i) => [i.name, i.syncState])).toEqual([
      ['fresh', 'never'],
      ['prod', 'ok'],
    ]);
    expect(options.workflows).toEqual(
      expect.arrayContaining([
        {
          instanceId: prod.id,
          id: 'wf-cust',
          name: 'Customer updated',
          active: true,
          webhookPaths: ['customer-updated'],
        },
        {
          instanceId: prod.id,
          id: 'wf-off',
          name: 'Refunds (draft)',
          active: false,
          webhookPaths: ['refund-requested'],
        },
      ]),
    );
    expect(options.mappings).toEqual([
      expect.objectContaining({ name: 'CRM sync', event: 'customer.updated', webhookPath: 'customer-updated' }),
    ]);
    expect(options.events.find((e) => e.name === 'customer.updated')).toMatchObject({ runs: 1, mapped: true });
    expect(options.events.find((e) => e.name === 'order.paid')).toMatchObject({ runs: 1, mapped: false });
    expect(options.events).toHaveLength(2);
    // Secrets never travel with the options.
    expect(JSON.stringify(options)).not.toContain(n8nKeyLike);
  });

  it('says a typo is served by no live workflow and names the path meant', async () => {
    const { core, prod } = await syncedConsole();
    const check = (webhookPath: string, workflowId: string | null = null) =>
      data(core.call('mappings:checkRoute', { instanceId: prod.id, webhookPath, workflowId }));

    const typo = await check('customer-updatd');
    expect(typo.verdict).toBe('unknown');
    expect(typo.message).toMatch(/No workflow on prod serves "customer-updatd".*404.*Did you mean "customer-updated"/);
    expect(typo.suggestions[0]).toEqual({
      path: 'customer-updated',
      workflowId: 'wf-cust',
      workflowName: 'Customer updated',
    });

    expect(await check('customer-updated')).toMatchObject({
      verdict: 'served',
      message: 'Runs "Customer updated" on prod.',
    });
    expect(await check('orders/17')).toMatchObject({ verdict: 'served' });
    expect(await check('/customer-updated', 'wf-cust')).toMatchObject({ verdict: 'served' });
    const other = await check('customer-updated', 'wf-ord');
    expect(other.verdict).toBe('other-workflow');
    expect(other.message).toMatch(/runs "Customer updated", not the workflow chosen \("Orders by id"\)/);
    expect(other.suggestions.map((s) => s.path)).toEqual(['orders/:id']);
    const inactive = await check('refund-requested');
    expect(inactive.verdict).toBe('inactive');
    expect(inactive.message).toMatch(/"Refunds \(draft\)".*not active.*404/);
    expect((await check('completely-else')).suggestions).toEqual([]);
  });

  it('cannot judge an instance never synced, and refuses bad input without changing anything', async () => {
    const { core, fresh } = await syncedConsole();
    expect(
      await data(core.call('mappings:checkRoute', { instanceId: fresh.id, webhookPath: 'customer-updatd' })),
    ).toMatchObject({ verdict: 'unsynced', message: expect.stringMatching(/fresh has not been synced yet/) });
    expect(await data(core.call('mappings:checkRoute', { instanceId: 'gone', webhookPath: 'x' }))).toMatchObject({
      verdict: 'unknown',
      message: expect.stringMatching(/no longer exists/),
    });
    for (const bad of [
      { instanceId: '', webhookPath: 'x' },
      { instanceId: 'a' },
      { instanceId: 'a', webhookPath: 'x', extra: 1 },
    ]) {
      expect(await core.invoke('mappings:checkRoute', bad)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await core.invoke('pickers:options', { all: true })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });
});

const n8nKeyLike = 'fake-key-0001';

describe('triage: a gated run reads by its mapping title', { timeout: 30_000 }, () => {
  it('titles the inbox item from payload fields and names instance, workflow and mapping in its detail', async () => {
    const { core, prod } = await syncedConsole();
    await data(
      core.call('mappings:create', {
        mapping: {
          event: 'refund.requested',
          name: 'Refunds',
          instanceId: prod.id,
          workflowId: 'wf-cust',
          webhookPath: 'customer-updated',
          requiresApproval: true,
          approvalTitle: 'Refund {{refundId}} · {{amount}} {{currency}} · {{customer.name}}',
          approverNote: 'Over 500 EUR: ask finance.',
        },
      }),
    );
    await data(
      core.call('ingest:emit', {
        event: 'refund.requested',
        payload: { refundId: 'R-7', amount: 129.5, currency: 'EUR', customer: { name: 'Acme' } },
      }),
    );
    const { items } = await data(core.call('approvals:list', {}));
    expect(items.map((i) => i.summary)).toEqual(['Refund R-7 · 129.5 EUR · Acme']);
    const detail = await data(core.call('approvals:get', { id: items[0]!.id }));
    expect(detail.names).toEqual({ instance: 'prod', workflow: 'Customer updated', mapping: 'Refunds' });
    expect(detail.approverNote).toBe('Over 500 EUR: ask finance.');
    expect(detail.related.map((r) => r.id)).toEqual([items[0]!.executionId]);
  });
});
