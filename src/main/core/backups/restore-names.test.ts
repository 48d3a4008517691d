import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../testing/test-core';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const ok = async <T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as T;
};

describe('restore preview in domain terms', () => {
  it('names what comes back, goes away and changes, and says what happens to the audit log', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const { core } = t;
    const instance = await ok(
      core.call('instances:add', {
        name: 'prod',
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'test-key-123456',
        environment: 'prod',
        color: '#2f6fed',
        syncEnabled: false,
      }),
    );
    const mapping = (event: string, name: string) =>
      ok(core.call('mappings:create', { mapping: { event, name, instanceId: instance.id, webhookPath: 'x' } }));
    const crm = await mapping('customer.updated', 'CRM sync');
    const orders = await mapping('order.created', 'Orders');
    const backup = await ok(core.call('backups:export', { includeRemote: false }));

    // After the backup: one mapping removed, one changed, one added.
    await ok(core.call('mappings:remove', { id: crm.id }));
    await ok(
      core.call('mappings:update', {
        id: orders.id,
        mapping: { event: 'order.created', name: 'Orders', instanceId: instance.id, webhookPath: 'orders/v2' },
      }),
    );
    await mapping('refund.requested', 'Refunds');

    const plan = await ok(core.call('backups:inspect', { source: { kind: 'file', path: backup.file.path } }));
    expect(plan.changes).toEqual([
      { kind: 'mapping', change: 'comes back', count: 1, names: ['CRM sync'] },
      { kind: 'mapping', change: 'goes away', count: 1, names: ['Refunds'] },
      { kind: 'mapping', change: 'changes', count: 1, names: ['Orders'] },
    ]);
    // Audit: the export and the three edits since the backup are not in it.
    expect(plan.audit).toMatchObject({ action: 'replace', added: 0 });
    expect(plan.audit.removed).toBeGreaterThanOrEqual(3);
    expect(plan.audit.sentence).toMatch(
      new RegExp(
        `the ${plan.audit.removed} entries recorded here and not in the backup are removed.*restore itself is recorded`,
      ),
    );

    // Nothing was changed by looking.
    expect((await ok(core.call('mappings:list', {}))).map((m) => m.name).sort()).toEqual(['Orders', 'Refunds']);
    const applied = await ok(core.call('backups:restore', { restoreId: plan.restoreId }));
    expect(applied).toBeTruthy();
    expect((await ok(core.call('mappings:list', {}))).map((m) => m.name).sort()).toEqual(['CRM sync', 'Orders']);
  });
});
