import { afterEach, describe, expect, it } from 'vitest';
import { startFakeN8n } from '../testing/fake-n8n';
import { webhookWorkflow } from '../testing/n8n-workflows';
import { testCore } from '../testing/test-core';

// The read-only canvas's sources through the core: a synced workflow's full definition (from
// n8n, else from the newest snapshot holding it) and the node types the instances use.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup() {
  const fake = await startFakeN8n({ version: '1.123.0' });
  const t = testCore({ n8n: { retries: 0 } });
  cleanups.push(fake.close, t.cleanup);
  const shape = webhookWorkflow({ path: 'orders' });
  fake.addWorkflow('wfOrders00000001', 'Orders', {
    nodes: shape.nodes,
    connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
  });
  fake.addWorkflow('wfOther000000001', 'Other', { nodes: [shape.nodes[0]!] });
  const added = await t.core.call('instances:add', {
    name: 'prod',
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    environment: 'prod',
    color: '#2f6fed',
    syncEnabled: false,
  });
  if (!added.ok) throw new Error(added.error.message);
  const synced = await t.core.call('instances:syncNow', { id: added.data.id });
  if (!synced.ok) throw new Error(synced.error.message);
  return { fake, t, instanceId: added.data.id };
}

describe('workflow definitions and node types for the canvas', () => {
  it('reads the whole definition from n8n, then from the newest snapshot while n8n is down', async () => {
    const { fake, t, instanceId } = await setup();
    const live = await t.core.call('workflows:definition', { instanceId, workflowId: 'wfOrders00000001' });
    expect(live.ok && live.data.source).toBe('n8n');
    if (!live.ok) return;
    expect(live.data.workflow.nodes.map((n) => [n.name, n.position])).toEqual([
      ['Webhook', [0, 0]],
      ['Set', [220, 0]],
    ]);
    expect(live.data.workflow.connections).toEqual({ Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } });

    // Down with no snapshot: the error says so; with one, the snapshot answers and says when.
    await fake.stop();
    const down = await t.core.call('workflows:definition', { instanceId, workflowId: 'wfOrders00000001' });
    expect(!down.ok && down.error.code).toBe('N8N_UNREACHABLE');
    await fake.start();
    const snap = await t.core.call('backups:snapshotTake', { instanceId });
    expect(snap.ok).toBe(true);
    await fake.stop();
    const kept = await t.core.call('workflows:definition', { instanceId, workflowId: 'wfOrders00000001' });
    expect(kept.ok && kept.data.source).toBe('snapshot');
    expect(kept.ok && kept.data.takenAtMs).toBeGreaterThan(0);
    expect(kept.ok && kept.data.workflow.nodes).toHaveLength(2);

    const unknown = await t.core.call('workflows:definition', { instanceId, workflowId: 'nope' });
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
  });

  it('lists node types in use with counts, instances and the versions a snapshot shows', async () => {
    const { t, instanceId } = await setup();
    const before = await t.core.call('workflows:nodeTypes', {});
    expect(before.ok && before.data.types).toEqual([
      { type: 'n8n-nodes-base.webhook', typeVersion: null, uses: 2, instanceIds: [instanceId] },
      { type: 'n8n-nodes-base.set', typeVersion: null, uses: 1, instanceIds: [instanceId] },
    ]);
    await t.core.call('backups:snapshotTake', { instanceId });
    const after = await t.core.call('workflows:nodeTypes', { instanceId });
    expect(after.ok && after.data.types.map((x) => [x.type, x.typeVersion])).toEqual([
      ['n8n-nodes-base.webhook', 2],
      ['n8n-nodes-base.set', 3.4],
    ]);
    const other = await t.core.call('workflows:nodeTypes', { instanceId: 'elsewhere' });
    expect(other.ok && other.data.types).toEqual([]);
    // Hostile input is refused by the contract, nothing runs.
    const bad = await t.core.call('workflows:nodeTypes', { instanceId: 'x'.repeat(500) } as never);
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');
  });
});
