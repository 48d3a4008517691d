import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { tempDir } from '../../src/main/core/testing/test-core';
import {
  api,
  createLiveWorkflow,
  N8N_MAJOR,
  startN8n,
  waitForWebhook,
  webhookWorkflow,
  type N8nInstance,
} from './harness';
import { addInstance, data } from './support';

// Promotion dev → prod across two real n8n instances of the same release: three workflows (one
// new with a credential mapped by name to prod's own credential, which has another id there;
// one changed; one new without credentials), a fourth refused by the pre-flight because prod
// lacks its credential, then the rollback of the whole promotion.
let dev: N8nInstance;
let prod: N8nInstance;
let core: Core;
let cleanupDir: () => void;
const ids = { dev: '', prod: '' };

beforeAll(async () => {
  [dev, prod] = await Promise.all([startN8n(), startN8n()]);
  const dir = tempDir();
  cleanupDir = dir.remove;
  core = createCore({ dataDir: dir.path, clock: systemClock });
  for (const [key, n8n] of [
    ['dev', dev],
    ['prod', prod],
  ] as const)
    ids[key] = await addInstance(core, n8n, key, { environment: key, sync: true });
});
afterAll(async () => {
  await core?.close();
  cleanupDir?.();
  await Promise.all([dev?.dispose(), prod?.dispose()]);
});

const credential = (n8n: N8nInstance, name: string, value: string) =>
  api<{ id: string; name: string; type: string }>(n8n, 'POST', '/credentials', {
    name,
    type: 'httpHeaderAuth',
    data: { name: 'X-Api-Key', value },
  });

/** Webhook → Set → HTTP Request authenticated with a header credential. */
function withCredential(path: string, name: string, cred: { id: string; name: string }) {
  const body = webhookWorkflow({ path, name });
  body.nodes.push({
    id: 'a1b2c3d4-0000-4000-8000-000000000010',
    name: 'Call Acme',
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    position: [440, 0],
    parameters: {
      url: 'http://127.0.0.1:9/acme',
      authentication: 'genericCredentialType',
      genericAuthType: 'httpHeaderAuth',
      options: {},
    },
    credentials: { httpHeaderAuth: { id: cred.id, name: cred.name } },
  });
  (body.connections as Record<string, unknown>).Set = { main: [[{ node: 'Call Acme', type: 'main', index: 0 }]] };
  return body;
}

/** The Set node's first assignment value (what "billing" differs in). */
function setValue(workflow: { nodes: { name: string; parameters: Record<string, unknown> }[] }): unknown {
  const set = workflow.nodes.find((n) => n.name === 'Set');
  return (set?.parameters.assignments as { assignments: { value: unknown }[] }).assignments[0]?.value;
}

function billing(value: string) {
  const body = webhookWorkflow({ path: 'fd-promote-billing', name: 'Promote billing' });
  const set = body.nodes[1] as unknown as { parameters: { assignments: { assignments: { value: unknown }[] } } };
  set.parameters.assignments.assignments[0]!.value = value;
  return body;
}

type Remote = {
  id: string;
  name: string;
  active: boolean;
  nodes: { name: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string }> }[];
};
const prodWorkflows = async () => (await api<{ data: Remote[] }>(prod, 'GET', '/workflows?limit=250')).data;

describe('promotion between two real n8n instances', () => {
  it('maps a credential by name to its other id on the target, refuses a missing one, promotes and rolls back', async () => {
    const devAcme = await credential(dev, 'Acme API', 'dev-secret');
    // Prod gets an unrelated credential first: its Acme API can never share dev's id.
    await credential(prod, 'Unrelated', 'x');
    const prodAcme = await credential(prod, 'Acme API', 'prod-secret');
    expect(prodAcme.id).not.toBe(devAcme.id);
    const devStripe = await credential(dev, 'Stripe live', 'sk');

    const orders = await createLiveWorkflow(
      dev,
      withCredential('fd-promote-orders', 'Promote orders', devAcme),
      'fd-promote-orders',
    );
    const bill = await createLiveWorkflow(dev, billing('from dev'), 'fd-promote-billing');
    const report = (
      await api<{ id: string }>(
        dev,
        'POST',
        '/workflows',
        webhookWorkflow({ path: 'fd-promote-report', name: 'Promote report' }),
      )
    ).id;
    const stripe = (
      await api<{ id: string }>(
        dev,
        'POST',
        '/workflows',
        withCredential('fd-promote-stripe', 'Needs stripe', devStripe),
      )
    ).id;
    // Prod already runs an older billing.
    const prodBilling = await createLiveWorkflow(prod, billing('={{ $json.body }}'), 'fd-promote-billing');

    const selection = { sourceInstanceId: ids.dev, targetInstanceId: ids.prod };
    const plan = await data(
      core.call('promotions:plan', { ...selection, workflowIds: [orders, bill, report, stripe] }),
    );
    expect(plan.credentialsSource.target).toBe(N8N_MAJOR >= 2 ? 'api' : 'workflows+audit');
    expect(plan.items.map((i) => [i.name, i.status, i.promotable])).toEqual([
      ['Promote orders', 'new', true],
      ['Promote billing', 'changed', true],
      ['Promote report', 'new', true],
      ['Needs stripe', 'new', false],
    ]);
    expect(plan.items[0]!.credentials).toEqual([
      expect.objectContaining({
        name: 'Acme API',
        sourceId: devAcme.id,
        targetId: prodAcme.id,
        // 1.x names an unused credential without its type (the audit): matched by name alone.
        status: N8N_MAJOR >= 2 ? 'mapped' : 'unverified',
      }),
    ]);
    expect(plan.items[1]!.diff?.changedNodes.map((c) => c.name)).toEqual(['Set']);
    expect(plan.items[3]!.refusals[0]).toMatch(
      /credential "Stripe live" \(httpHeaderAuth\), which the target does not have/,
    );
    expect(JSON.stringify(plan)).not.toMatch(/secret/);

    // The refused workflow stops the whole promotion: nothing is written.
    const before = await prodWorkflows();
    const refused = await core.call('promotions:promote', {
      ...selection,
      workflowIds: [orders, stripe],
      activation: 'active',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect((await prodWorkflows()).map((w) => w.id).sort()).toEqual(before.map((w) => w.id).sort());

    const expected = Object.fromEntries(plan.items.map((i) => [i.sourceWorkflowId, i.targetUpdatedAtMs]));
    const promotion = await data(
      core.call('promotions:promote', {
        ...selection,
        workflowIds: [orders, bill, report],
        activation: 'active',
        expected,
      }),
    );
    expect(promotion.status).toBe('done');
    expect(promotion.items.map((i) => [i.name, i.action, i.activeAfter, i.error])).toEqual([
      ['Promote orders', 'created', true, null],
      ['Promote billing', 'updated', true, null],
      ['Promote report', 'created', true, null],
    ]);
    const there = await prodWorkflows();
    const promotedOrders = there.find((w) => w.name === 'Promote orders')!;
    expect(promotedOrders.nodes.find((n) => n.name === 'Call Acme')?.credentials?.httpHeaderAuth?.id).toBe(prodAcme.id);
    await waitForWebhook(prod, 'fd-promote-orders');
    expect(setValue(await api<Remote>(prod, 'GET', `/workflows/${prodBilling}`))).toBe('from dev');

    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.status).toBe('rolled-back');
    expect(rolled.items.map((i) => [i.name, i.rollback])).toEqual([
      ['Promote orders', 'deleted'],
      ['Promote billing', 'restored'],
      ['Promote report', 'deleted'],
    ]);
    const after = await prodWorkflows();
    expect(after.map((w) => w.name).sort()).toEqual(before.map((w) => w.name).sort());
    const restored = await api<Remote>(prod, 'GET', `/workflows/${prodBilling}`);
    expect(setValue(restored)).toBe('={{ $json.body }}');
    expect(restored.active).toBe(true);
    await waitForWebhook(prod, 'fd-promote-billing');
  });
});
