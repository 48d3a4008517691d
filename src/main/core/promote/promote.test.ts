import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallInput, PromotionPlan } from '../../../shared/contract';
import { STORE_FILE } from '../db/store';
import { errorFromStatus, errorFromTransport } from '../n8n/errors';
import type { FakeN8n, FakeNode } from '../testing/fake-n8n';
import { testContext } from '../testing/test-core';
import { coreOnTwoFakes, data, webhookThenSet } from '../testing/two-fakes';
import { credentialRefs, mapCredential, rewriteVariables, webhooksOf } from './plan';
import type { PromotionPort } from './promote-port';
import { createPromotions } from './promote-service';
import { outcomeUnknown } from './write-outcome';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A Webhook → Set workflow; `credential` adds an HTTP Request node that uses it. */
function nodes(path: string, options: { value?: string; credential?: { id: string; name: string } } = {}): FakeNode[] {
  const list = webhookThenSet(path, options.value ?? 'one');
  if (options.credential)
    list.push({
      id: `${path}-http`,
      name: 'Call Acme',
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4.2,
      position: [440, 0],
      parameters: { url: 'http://127.0.0.1:9/acme', authentication: 'genericCredentialType' },
      credentials: { httpHeaderAuth: options.credential },
    });
  return list;
}

/** A core with two instances on two loopback fakes: dev (1.123 unless told) and prod (2.41.1 unless told). */
const twoInstances = (versions: { dev?: string; prod?: string } = {}) =>
  coreOnTwoFakes(cleanups, { dev: versions.dev ?? '1.123.81', prod: versions.prod ?? '2.41.1' });

/** Dev holds Orders (new on prod, uses the Acme credential), Billing (changed) and Same (unchanged). */
function seedDevAndProd(dev: FakeN8n, prod: FakeN8n) {
  const devCred = dev.addCredential('Acme API', 'httpHeaderAuth', { name: 'X-Key', value: 'dev-secret' });
  const prodCred = prod.addCredential('Acme API', 'httpHeaderAuth', { name: 'X-Key', value: 'prod-secret' });
  prod.addCredential('Acme API', 'httpBasicAuth', { user: 'u', password: 'p' });
  dev.addWorkflow('d-orders', 'Orders', {
    nodes: nodes('orders', { credential: { id: devCred.id, name: 'Acme API' } }),
  });
  dev.addWorkflow('d-billing', 'Billing', { nodes: nodes('billing', { value: 'new' }) });
  dev.addWorkflow('d-same', 'Same', { nodes: nodes('same') });
  prod.addWorkflow('p-billing', 'Billing', { nodes: nodes('billing', { value: 'old' }) });
  prod.addWorkflow('p-same', 'Same', { nodes: nodes('same') });
  prod.addWorkflow('p-legacy', 'Legacy on prod', { nodes: nodes('legacy') });
  return { devCred, prodCred };
}

const selection = (ids: { dev: string; prod: string }, workflowIds: string[]) => ({
  sourceInstanceId: ids.dev,
  targetInstanceId: ids.prod,
  workflowIds,
});

describe('promotion plan (dry run)', () => {
  it('says per workflow new / changed / unchanged with the diff, maps credentials by name and type, lists target-only', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    const { devCred, prodCred } = seedDevAndProd(dev, prod);
    const writesBefore = prod.state.writes.length;
    const plan = await data(core.call('promotions:plan', selection(ids, ['d-orders', 'd-billing', 'd-same'])));

    expect(plan.items.map((i) => [i.name, i.status])).toEqual([
      ['Orders', 'new'],
      ['Billing', 'changed'],
      ['Same', 'unchanged'],
    ]);
    expect(plan.ok).toBe(true);
    const [orders, billing, same] = plan.items;
    expect(orders!.credentials).toEqual([
      {
        node: 'Call Acme',
        type: 'httpHeaderAuth',
        name: 'Acme API',
        sourceId: devCred.id,
        targetId: prodCred.id,
        status: 'mapped',
      },
    ]);
    expect(billing!.diff?.changedNodes).toEqual([expect.objectContaining({ name: 'Set', parameterPaths: ['value'] })]);
    expect(billing!.targetWorkflowId).toBe('p-billing');
    expect(same!.diff?.identical).toBe(true);
    expect(plan.targetOnly).toEqual([{ workflowId: 'p-legacy', name: 'Legacy on prod', active: true }]);
    // Both instances' credentials, names and types only.
    expect(plan.credentialsSource).toEqual({ source: 'workflows+audit', target: 'api' });
    expect(plan.targetCredentials).toHaveLength(2);
    expect(plan.sourceCredentials).toEqual([{ id: devCred.id, name: 'Acme API', type: 'httpHeaderAuth' }]);
    expect(JSON.stringify(plan)).not.toMatch(/secret/);
    // A dry run writes nothing.
    expect(prod.state.writes.length).toBe(writesBefore);
  });

  it('refuses a workflow whose credential the target lacks, one whose webhook path collides, one with a removed node type', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    dev.addWorkflow('d-miss', 'Needs Stripe', {
      nodes: nodes('stripe', { credential: { id: 'dev-stripe', name: 'Stripe live' } }),
    });
    dev.addWorkflow('d-clash', 'Clashing hook', { nodes: nodes('shared-path') });
    prod.addWorkflow('p-other', 'Another workflow', { nodes: nodes('shared-path') });
    const start: FakeNode = {
      id: 'start',
      name: 'Start',
      type: 'n8n-nodes-base.start',
      typeVersion: 1,
      position: [0, 300],
      parameters: {},
    };
    dev.addWorkflow('d-legacy', 'Old start', { nodes: [...nodes('old-start'), start] });
    const plan = await data(core.call('promotions:plan', selection(ids, ['d-miss', 'd-clash', 'd-legacy'])));
    expect(plan.ok).toBe(false);
    const [miss, clash, legacy] = plan.items;
    expect(miss!.promotable).toBe(false);
    expect(miss!.credentials[0]).toMatchObject({ name: 'Stripe live', status: 'missing', targetId: null });
    expect(miss!.refusals[0]).toMatch(/credential "Stripe live" \(httpHeaderAuth\), which the target does not have/);
    expect(clash!.webhookCollisions).toEqual([
      {
        node: 'Webhook',
        method: 'POST',
        path: 'shared-path',
        otherWorkflowId: 'p-other',
        otherWorkflowName: 'Another workflow',
      },
    ]);
    expect(clash!.refusals[0]).toMatch(/collides with "Another workflow" on the target/);
    expect(legacy!.problems[0]).toMatchObject({ node: 'Start', severity: 'error' });
    expect(legacy!.refusals[0]).toMatch(/Node "Start" .* cannot run on the target/);

    // Promote refuses the whole selection: nothing is written into the target.
    const writes = prod.state.writes.length;
    const refused = await core.call('promotions:promote', { ...selection(ids, ['d-miss']), activation: 'keep' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(refused.ok ? '' : refused.error.message).toMatch(/^Nothing was promoted: 1 workflow\(s\) cannot be/);
    expect(prod.state.writes.length).toBe(writes);
    expect(await data(core.call('promotions:list', {}))).toEqual([]);
  });

  it('on a 1.x target reads credentials from its workflows and its security audit (same name: unverified type)', async () => {
    const { core, dev, prod, ids } = await twoInstances({ prod: '1.123.81' });
    const devCred = dev.addCredential('Acme API', 'httpHeaderAuth');
    const unused = prod.addCredential('Acme API', 'httpHeaderAuth');
    const used = prod.addCredential('Mailer', 'smtp');
    prod.addWorkflow('p-mail', 'Mail', { nodes: nodes('mail', { credential: { id: used.id, name: 'Mailer' } }) });
    dev.addWorkflow('d-orders', 'Orders', {
      nodes: nodes('orders', { credential: { id: devCred.id, name: 'Acme API' } }),
    });
    const plan = await data(core.call('promotions:plan', selection(ids, ['d-orders'])));
    expect(plan.credentialsSource.target).toBe('workflows+audit');
    // The one its workflow uses, typed by that use; the other named by the audit alone.
    expect(plan.targetCredentials).toEqual([
      { id: used.id, name: 'Mailer', type: 'httpHeaderAuth' },
      { id: unused.id, name: 'Acme API', type: null },
    ]);
    expect(plan.items[0]!.credentials[0]).toMatchObject({ status: 'unverified', targetId: unused.id });
    expect(plan.items[0]!.promotable).toBe(true);
    expect(plan.notes.join(' ')).toMatch(/does not list its credentials to this API key \(n8n 1\.x never does\)/);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    const writes = prod.state.writes.length;
    const cases: [CallInput<'promotions:promote'>, string, RegExp][] = [
      [{ ...selection(ids, ['nope']), activation: 'keep' }, 'VALIDATION', /source has no workflow nope/],
      [
        { sourceInstanceId: ids.dev, targetInstanceId: ids.dev, workflowIds: ['d-same'], activation: 'keep' },
        'VALIDATION',
        /two different instances/,
      ],
      [
        { ...selection(ids, ['d-same']), targetInstanceId: 'ghost', activation: 'keep' },
        'VALIDATION',
        /Unknown instance ghost/,
      ],
      [
        { ...selection(ids, ['d-billing']), activation: 'keep', expected: { 'd-billing': 1 } },
        'CONFLICT',
        /target changed since the plan \("Billing"\)/,
      ],
    ];
    for (const [input, code, message] of cases) {
      const reply = await core.call('promotions:promote', input);
      expect(reply).toMatchObject({ ok: false, error: { code } });
      expect(reply.ok ? '' : reply.error.message).toMatch(message);
    }
    for (const hostile of [
      { ...selection(ids, []), activation: 'keep' },
      { ...selection(ids, ['d-same']), activation: 'sometimes' },
      { ...selection(ids, ['d-same']), activation: 'keep', extra: 1 },
    ])
      expect(await core.call('promotions:promote', hostile as never)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    expect(prod.state.writes.length).toBe(writes);
    expect(await data(core.call('promotions:list', {}))).toEqual([]);
  });
});

describe('promote and roll back', () => {
  async function promoted(activation: 'keep' | 'active' | 'inactive') {
    const setup = await twoInstances();
    const seeded = seedDevAndProd(setup.dev, setup.prod);
    const plan: PromotionPlan = await data(
      setup.core.call('promotions:plan', selection(setup.ids, ['d-orders', 'd-billing', 'd-same'])),
    );
    const expected = Object.fromEntries(plan.items.map((i) => [i.sourceWorkflowId, i.targetUpdatedAtMs]));
    const promotion = await data(
      setup.core.call('promotions:promote', {
        ...selection(setup.ids, ['d-orders', 'd-billing', 'd-same']),
        activation,
        expected,
      }),
    );
    return { ...setup, ...seeded, promotion };
  }

  it('creates and updates on the target with credentials re-pointed by id, live as chosen, with a record', async () => {
    const { core, prod, prodCred, promotion, ids } = await promoted('active');
    expect(promotion).toMatchObject({ status: 'done', activation: 'active', actor: expect.any(String) });
    expect(promotion.items.map((i) => [i.name, i.action, i.activeBefore, i.activeAfter, i.error])).toEqual([
      ['Orders', 'created', null, true, null],
      ['Billing', 'updated', true, true, null],
      ['Same', 'unchanged', true, true, null],
    ]);
    const orders = prod.state.workflows.find((w) => w.name === 'Orders')!;
    expect(orders.active).toBe(true);
    // Published on 2.x: what runs is the promoted version.
    expect(orders.activeVersion?.versionId).toBe(orders.versionId);
    const http = orders.nodes.find((n) => n.name === 'Call Acme')!;
    expect(http.credentials).toEqual({ httpHeaderAuth: { id: prodCred.id, name: 'Acme API' } });
    const billing = prod.state.workflows.find((w) => w.id === 'p-billing')!;
    expect(billing.nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'new' });
    expect(billing.activeVersion?.nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'new' });
    // Nothing is written for an unchanged workflow.
    expect(prod.state.writes.filter((w) => w.path === '/workflows/p-same')).toEqual([]);

    const audit = await data(core.call('audit:list', { limit: 20 }));
    const entry = audit.entries.find((e) => e.action === 'promotion.promote');
    expect(entry).toMatchObject({ targetId: ids.prod });
    expect(await data(core.call('promotions:get', { id: promotion.id }))).toEqual(promotion);
  });

  it('rolls back in one call: updated workflows restored, created ones deleted', async () => {
    const { core, prod, promotion } = await promoted('active');
    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.status).toBe('rolled-back');
    expect(rolled.items.map((i) => [i.name, i.rollback])).toEqual([
      ['Orders', 'deleted'],
      ['Billing', 'restored'],
      ['Same', 'skipped'],
    ]);
    expect(prod.state.workflows.some((w) => w.name === 'Orders')).toBe(false);
    const billing = prod.state.workflows.find((w) => w.id === 'p-billing')!;
    expect(billing.nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'old' });
    expect(billing.active).toBe(true);
    expect(billing.activeVersion?.nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'old' });
    // Once only.
    expect(await core.call('promotions:rollback', { id: promotion.id })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  it('refuses a rollback when the target moved since the promotion, unless forced', async () => {
    const { core, prod, promotion } = await promoted('keep');
    prod.editWorkflow('p-billing', (wf) => {
      wf.nodes[1]!.parameters = { value: 'edited on prod' };
    });
    const refused = await core.call('promotions:rollback', { id: promotion.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(refused.ok ? null : refused.error.details).toEqual({
      workflows: [{ targetWorkflowId: 'p-billing', name: 'Billing', reason: 'changed' }],
    });
    // Nothing was undone.
    expect(prod.state.workflows.some((w) => w.name === 'Orders')).toBe(true);
    expect(prod.state.workflows.find((w) => w.id === 'p-billing')!.nodes[1]!.parameters).toEqual({
      value: 'edited on prod',
    });
    const forced = await data(core.call('promotions:rollback', { id: promotion.id, force: true }));
    expect(forced.status).toBe('rolled-back');
    expect(prod.state.workflows.find((w) => w.id === 'p-billing')!.nodes[1]!.parameters).toEqual({ value: 'old' });
  });

  it('inactive stops what it writes; rollback makes it live again as before', async () => {
    const { core, prod, promotion } = await promoted('inactive');
    expect(promotion.items.map((i) => [i.name, i.activeAfter])).toEqual([
      ['Orders', false],
      ['Billing', false],
      ['Same', false],
    ]);
    expect(prod.state.workflows.find((w) => w.id === 'p-same')!.active).toBe(false);
    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.items.map((i) => i.rollback)).toEqual(['deleted', 'restored', 'restored']);
    expect(prod.state.workflows.find((w) => w.id === 'p-same')!.active).toBe(true);
    expect(prod.state.workflows.find((w) => w.id === 'p-billing')!.active).toBe(true);
  });

  it('2.x: a target holding a newer saved draft beside its published version gets both back', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    // Saved in prod's editor but not published: the draft differs from what runs.
    prod.editWorkflow('p-billing', (wf) => {
      wf.nodes[1]!.parameters = { value: 'prod draft' };
    });
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-billing']), activation: 'keep' }),
    );
    const billing = () => prod.state.workflows.find((w) => w.id === 'p-billing')!;
    const setValue = (nodes: FakeNode[] | undefined) => nodes?.find((n) => n.name === 'Set')?.parameters;
    // Kept live: n8n 2.x republishes a live workflow's save.
    expect(setValue(billing().activeVersion?.nodes)).toEqual({ value: 'new' });
    await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(billing().active).toBe(true);
    expect(setValue(billing().activeVersion?.nodes)).toEqual({ value: 'old' });
    expect(setValue(billing().nodes)).toEqual({ value: 'prod draft' });
  });

  it('records a write that failed and stops there; what was written can be rolled back', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    prod.state.apiHold = (request) => {
      // n8n refuses the update of Billing (a 400: nothing written), after Orders was created.
      if (request.startsWith('PUT /api/v1/workflows/p-billing')) prod.state.failWith = 400;
      return undefined;
    };
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-orders', 'd-billing', 'd-same']), activation: 'keep' }),
    );
    prod.state.failWith = undefined;
    prod.state.apiHold = undefined;
    expect(promotion.status).toBe('partial');
    expect(promotion.items.map((i) => [i.name, i.action])).toEqual([
      ['Orders', 'created'],
      ['Billing', 'failed'],
      ['Same', 'failed'],
    ]);
    expect(promotion.items[2]!.error).toMatch(/Not attempted/);
    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.items.map((i) => i.rollback)).toEqual(['deleted', null, null]);
    expect(prod.state.workflows.some((w) => w.name === 'Orders')).toBe(false);
  });
});

describe('a failed write', () => {
  it('puts a workflow it stopped first (activation: inactive) live again, and records the failure', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    // n8n refuses every try at updating Billing (409: nothing written); anything else goes through.
    prod.state.apiHold = (request) => {
      prod.state.failWith = request.startsWith('PUT /api/v1/workflows/p-billing') ? 409 : undefined;
      return undefined;
    };
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-billing']), activation: 'inactive' }),
    );
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(promotion.status).toBe('failed');
    expect(promotion.items[0]).toMatchObject({ action: 'failed', activeBefore: true });
    const billing = prod.state.workflows.find((w) => w.id === 'p-billing')!;
    expect(billing.active).toBe(true);
    expect(billing.nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'old' });
    expect(prod.state.requests.filter((r) => /p-billing\/(publish|unpublish)/.test(r))).toEqual([
      'POST /api/v1/workflows/p-billing/unpublish',
      'POST /api/v1/workflows/p-billing/publish',
    ]);
  });
});

describe('a promotion that fails after a write', () => {
  it('records an update whose read-back failed as updated (with the error), and its rollback restores it', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    // The update of Billing goes through; n8n then fails (503) every read of it.
    let updated = false;
    prod.state.apiHold = (request) => {
      if (request.startsWith('PUT /api/v1/workflows/p-billing')) updated = true;
      prod.state.failWith = updated && request.startsWith('GET /api/v1/workflows/p-billing') ? 503 : undefined;
      return undefined;
    };
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-orders', 'd-billing', 'd-same']), activation: 'keep' }),
    );
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(promotion.status).toBe('partial');
    expect(promotion.items.map((i) => [i.name, i.action, i.targetWorkflowId])).toEqual([
      ['Orders', 'created', expect.any(String)],
      ['Billing', 'updated', 'p-billing'],
      ['Same', 'failed', 'p-same'],
    ]);
    expect(promotion.items[0]!.error).toBeNull();
    expect(promotion.items[1]!.error).toMatch(/^Written, then reading it back failed .*503/);
    expect(promotion.items[2]!.error).toMatch(/Not attempted/);
    const billing = () => prod.state.workflows.find((w) => w.id === 'p-billing')!;
    expect(billing().nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'new' });
    const audit = await data(core.call('audit:list', { limit: 20 }));
    expect(audit.entries.find((e) => e.action === 'promotion.promote')?.details).toMatchObject({
      status: 'partial',
      workflows: [
        { name: 'Orders', action: 'created' },
        { name: 'Billing', action: 'updated', targetWorkflowId: 'p-billing', error: expect.stringMatching(/503/) },
        { name: 'Same', action: 'failed' },
      ],
    });

    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.status).toBe('rolled-back');
    expect(rolled.items.map((i) => i.rollback)).toEqual(['deleted', 'restored', null]);
    expect(billing().nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'old' });
    expect(billing().active).toBe(true);
    expect(prod.state.workflows.some((w) => w.name === 'Orders')).toBe(false);
  });

  it('records a creation answered 504 after n8n made it with an unknown id; the rollback finds it by name and deletes it', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    // A proxy's 504 after n8n saved the workflow: the answer (and its id) never comes.
    prod.state.apiHold = (request) => {
      const create = request === 'POST /api/v1/workflows';
      if (create) prod.addWorkflow('p-orders-made', 'Orders', { nodes: nodes('orders'), active: false });
      prod.state.failWith = create ? 504 : undefined;
      return undefined;
    };
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-orders', 'd-billing']), activation: 'keep' }),
    );
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(promotion.status).toBe('partial');
    expect(promotion.items.map((i) => [i.name, i.action, i.targetWorkflowId])).toEqual([
      ['Orders', 'created', null],
      ['Billing', 'failed', 'p-billing'],
    ]);
    expect(promotion.items[0]!.error).toMatch(/outcome of the creation is unknown.*504/);
    // Nothing after the unknown write was attempted.
    expect(prod.state.writes.filter((w) => w.path === '/workflows/p-billing')).toEqual([]);

    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.status).toBe('rolled-back');
    expect(rolled.items.map((i) => [i.name, i.rollback, i.targetWorkflowId])).toEqual([
      ['Orders', 'deleted', 'p-orders-made'],
      ['Billing', null, 'p-billing'],
    ]);
    expect(prod.state.workflows.some((w) => w.name === 'Orders')).toBe(false);
  });

  it('a creation answered 504 that n8n never made: the rollback finds nothing to delete; two of that name: not guessed', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    prod.state.apiHold = (request) => {
      prod.state.failWith = request === 'POST /api/v1/workflows' ? 504 : undefined;
      return undefined;
    };
    const first = await data(core.call('promotions:promote', { ...selection(ids, ['d-orders']), activation: 'keep' }));
    const second = await data(core.call('promotions:promote', { ...selection(ids, ['d-orders']), activation: 'keep' }));
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect([first.status, second.status]).toEqual(['partial', 'partial']);
    const rolled = await data(core.call('promotions:rollback', { id: first.id }));
    expect(rolled).toMatchObject({
      status: 'rolled-back',
      items: [{ rollback: 'nothing to delete: not on the target' }],
    });

    // Someone (or two unknown creations) left two workflows named Orders: neither is deleted.
    prod.addWorkflow('p-orders-1', 'Orders', { nodes: nodes('orders'), active: false });
    prod.addWorkflow('p-orders-2', 'Orders', { nodes: nodes('orders-2'), active: false });
    const refused = await data(core.call('promotions:rollback', { id: second.id }));
    expect(refused.status).toBe('partial');
    expect(refused.items[0]!.rollback).toMatch(/not deleted: .*2 workflows are named "Orders"/);
    expect(prod.state.workflows.filter((w) => w.name === 'Orders')).toHaveLength(2);
  });

  it('an update answered 500 that n8n never applied (inactive: stopped first) stays stopped, is recorded, and its rollback makes it live again', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    prod.state.apiHold = (request) => {
      prod.state.failWith = request.startsWith('PUT /api/v1/workflows/p-billing') ? 500 : undefined;
      return undefined;
    };
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-billing']), activation: 'inactive' }),
    );
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(promotion.status).toBe('partial');
    expect(promotion.items[0]).toMatchObject({ action: 'updated', targetWorkflowId: 'p-billing', activeBefore: true });
    expect(promotion.items[0]!.error).toMatch(/outcome of the update is unknown.*500/);
    const billing = () => prod.state.workflows.find((w) => w.id === 'p-billing')!;
    // Not made live again: n8n may hold the new version, which the operator asked to be stopped.
    expect(billing().active).toBe(false);

    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.items[0]!.rollback).toBe('restored');
    expect(billing().active).toBe(true);
    expect(billing().activeVersion?.nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'old' });
  });

  it('stopping first answered 504 after n8n stopped it (inactive): recorded, the promotion ends, the rollback makes it live again', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    prod.state.apiHold = (request) => {
      const stop = request.startsWith('POST /api/v1/workflows/p-billing/unpublish');
      if (stop)
        Object.assign(
          prod.state.workflows.find((w) => w.id === 'p-billing')!,
          { active: false, activeVersion: null },
        );
      prod.state.failWith = stop ? 504 : undefined;
      return undefined;
    };
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-billing', 'd-same']), activation: 'inactive' }),
    );
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(promotion.status).toBe('partial');
    expect(promotion.items.map((i) => [i.name, i.action, i.targetWorkflowId])).toEqual([
      ['Billing', 'unchanged', 'p-billing'],
      ['Same', 'failed', 'p-same'],
    ]);
    expect(promotion.items[0]!.error).toMatch(/outcome of stopping it is unknown.*504/);
    // Nothing but the stop reached n8n: the definition is untouched.
    expect(prod.state.writes.filter((w) => w.method === 'PUT')).toEqual([]);

    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled.items.map((i) => i.rollback)).toEqual(['restored', null]);
    const billing = prod.state.workflows.find((w) => w.id === 'p-billing')!;
    expect(billing.active).toBe(true);
    expect(billing.nodes.find((n) => n.name === 'Set')?.parameters).toEqual({ value: 'old' });
  });

  it('an update answered 500 that n8n never applied: the rollback sees the target as it was and writes nothing', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    prod.state.apiHold = (request) => {
      prod.state.failWith = request.startsWith('PUT /api/v1/workflows/p-billing') ? 500 : undefined;
      return undefined;
    };
    const promotion = await data(
      core.call('promotions:promote', { ...selection(ids, ['d-billing']), activation: 'keep' }),
    );
    prod.state.apiHold = undefined;
    prod.state.failWith = undefined;
    expect(promotion.items[0]).toMatchObject({ action: 'updated', targetWorkflowId: 'p-billing' });
    const writes = prod.state.writes.length;
    const rolled = await data(core.call('promotions:rollback', { id: promotion.id }));
    expect(rolled).toMatchObject({
      status: 'rolled-back',
      items: [{ rollback: 'skipped: the target holds what it had before' }],
    });
    expect(prod.state.writes.length).toBe(writes);
  });
});

describe('whether a failed write may have been applied', () => {
  it('a timeout, a dropped connection, a 5xx or an answer not understood: maybe; a refusal or no connection: no', () => {
    const transport = (code: string) => errorFromTransport(Object.assign(new Error(code), { code }), 'http://n8n', 'x');
    expect(
      ['UND_ERR_HEADERS_TIMEOUT', 'ECONNRESET', 'UND_ERR_SOCKET'].map((c) => outcomeUnknown(transport(c))),
    ).toEqual([true, true, true]);
    expect(['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT'].map((c) => outcomeUnknown(transport(c)))).toEqual([
      false,
      false,
      false,
    ]);
    expect([500, 502, 504].map((s) => outcomeUnknown(errorFromStatus(s, 'x', undefined)))).toEqual([true, true, true]);
    expect([400, 401, 403, 404, 409, 422, 429].map((s) => outcomeUnknown(errorFromStatus(s, 'x', undefined)))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(outcomeUnknown(new Error('a bug'))).toBe(true);
  });
});

describe('one at a time, and after a crash', () => {
  it('refuses a second promotion into the same target while one is writing', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    seedDevAndProd(dev, prod);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    prod.state.apiHold = (request) => (request.startsWith('POST /api/v1/workflows') ? held : undefined);
    const first = core.call('promotions:promote', { ...selection(ids, ['d-orders']), activation: 'keep' });
    await expect
      .poll(() => prod.state.received.some((r) => r.method === 'POST' && r.url === '/api/v1/workflows'))
      .toBe(true);
    const second = await core.call('promotions:promote', { ...selection(ids, ['d-billing']), activation: 'keep' });
    expect(second).toMatchObject({ ok: false, error: { code: 'CONFLICT', retryable: true } });
    release();
    expect((await data(first)).status).toBe('done');
    expect((await data(core.call('promotions:list', {}))).map((p) => p.items.map((i) => i.name))).toEqual([['Orders']]);
  });

  it('a promotion left running by a stopped process becomes partial (its records can be rolled back)', () => {
    const t = testContext();
    cleanups.push(t.cleanup);
    t.ctx.store.write(() =>
      t.ctx.store.db
        .prepare(
          `INSERT INTO promotions (actor, created_at_ms, source_instance_id, target_instance_id, version, activation, status)
          VALUES ('ann', 1, 'dev', 'prod', 'draft', 'keep', 'running')`,
        )
        .run(),
    );
    const promotions = createPromotions(t.ctx, t.audit, {} as PromotionPort);
    expect(promotions.recoverInterrupted()).toBe(1);
    expect(promotions.get(1)).toMatchObject({ status: 'partial', items: [] });
    expect(promotions.recoverInterrupted()).toBe(0);
  });
});

describe('plan helpers', () => {
  it('reads credential references, maps by name and type, and finds literal webhook paths', () => {
    const refs = credentialRefs([
      { name: 'A', credentials: { httpHeaderAuth: { id: '1', name: 'Acme' }, smtp: 'Old mailer', bad: 42 } },
    ]);
    expect(refs).toEqual([
      { node: 'A', type: 'httpHeaderAuth', id: '1', name: 'Acme' },
      { node: 'A', type: 'smtp', id: null, name: 'Old mailer' },
    ]);
    const target = [
      { id: 't1', name: 'Acme', type: 'httpHeaderAuth' },
      { id: 't2', name: 'Acme', type: 'httpHeaderAuth' },
      { id: 't3', name: 'Old mailer', type: 'smtp' },
    ];
    expect(mapCredential(refs[0]!, target).status).toBe('ambiguous');
    expect(mapCredential(refs[1]!, target)).toMatchObject({ status: 'mapped', targetId: 't3' });
    expect(mapCredential(refs[1]!, [{ id: 'x', name: 'Old mailer', type: 'httpBasicAuth' }]).status).toBe('missing');
    const hook = (path: unknown, disabled = false) => ({
      name: `h-${String(path)}`,
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0] as [number, number],
      parameters: { path },
      disabled,
    });
    expect(webhooksOf([hook('/a/b/'), hook('={{ 1 }}'), hook('c', true), hook('')])).toEqual([
      { node: 'h-/a/b/', method: 'GET', path: 'a/b' },
    ]);
  });
});

/** A workflow whose HTTP node calls the dev API and whose Set node names it in nested fields. */
function apiNodes(base: string): FakeNode[] {
  return [
    {
      id: 'api-hook',
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      webhookId: 'wh-api',
      parameters: { httpMethod: 'POST', path: 'api-call', responseMode: 'onReceived' },
    },
    {
      id: 'api-http',
      name: 'Call API',
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4.2,
      position: [220, 0],
      parameters: { url: `${base}/v1/orders`, options: {} },
    },
    {
      id: 'api-set',
      name: 'Note',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [440, 0],
      parameters: { value: `={{ "${base}" + "/v1" }}`, list: [{ link: `${base}/docs` }, 7, true] },
    },
  ];
}

describe('per-instance variables', () => {
  const DEV = 'https://dev.example.test';
  const PROD = 'https://api.example.test';

  it('are set and listed per instance, audited, and a bad name or value changes nothing', async () => {
    const { core, ids } = await twoInstances();
    expect(await data(core.call('promotions:variables', { instanceId: ids.dev }))).toEqual({
      instanceId: ids.dev,
      variables: [],
    });
    const set = await data(
      core.call('promotions:setVariables', {
        instanceId: ids.dev,
        variables: [
          { name: 'SLACK_CHANNEL', value: '#dev-alerts' },
          { name: 'API_BASE', value: DEV },
        ],
      }),
    );
    expect(set.variables.map((v) => v.name)).toEqual(['API_BASE', 'SLACK_CHANNEL']);
    expect(await data(core.call('promotions:variables', { instanceId: ids.dev }))).toEqual(set);
    expect((await data(core.call('promotions:variables', { instanceId: ids.prod }))).variables).toEqual([]);
    const audit = await data(core.call('audit:list', { limit: 20 }));
    expect(audit.entries.find((e) => e.action === 'promotion.variables')).toMatchObject({ targetId: ids.dev });

    for (const variables of [
      [{ name: 'api_base', value: 'x' }],
      [{ name: '1ST', value: 'x' }],
      [{ name: 'A-B', value: 'x' }],
      [{ name: `A${'B'.repeat(64)}`, value: 'x' }],
      [{ name: 'EMPTY', value: '' }],
      [{ name: 'LONG', value: 'x'.repeat(2001) }],
      [
        { name: 'TWICE', value: 'a' },
        { name: 'TWICE', value: 'b' },
      ],
      [{ name: 'EXTRA', value: 'x', secret: true }],
      'API_BASE=x',
    ]) {
      const reply = await core.call('promotions:setVariables', { instanceId: ids.dev, variables } as never);
      expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    const ghost = await core.call('promotions:setVariables', { instanceId: 'ghost', variables: [] });
    expect(ghost).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/ghost/) } });
    expect(await data(core.call('promotions:variables', { instanceId: ids.dev }))).toEqual(set);
    // A value of exactly 2,000 characters is fine; an empty set removes them all.
    const long = 'y'.repeat(2000);
    await data(
      core.call('promotions:setVariables', { instanceId: ids.dev, variables: [{ name: 'LONG', value: long }] }),
    );
    expect((await data(core.call('promotions:variables', { instanceId: ids.dev }))).variables).toEqual([
      { name: 'LONG', value: long },
    ]);
    await data(core.call('promotions:setVariables', { instanceId: ids.dev, variables: [] }));
    expect((await data(core.call('promotions:variables', { instanceId: ids.dev }))).variables).toEqual([]);
  });

  it('go with an instance that is removed', async () => {
    const { core, ids, dataDir } = await twoInstances();
    await data(core.call('promotions:setVariables', { instanceId: ids.dev, variables: [{ name: 'A', value: 'x' }] }));
    await data(core.call('promotions:setVariables', { instanceId: ids.prod, variables: [{ name: 'A', value: 'y' }] }));
    await data(core.call('instances:remove', { id: ids.dev }));
    const db = new Database(join(dataDir, STORE_FILE), { readonly: true });
    cleanups.push(() => db.close());
    const keys = () => db.prepare("SELECT key FROM settings WHERE key LIKE 'promotion.variables:%'").pluck().all();
    await expect.poll(keys, { timeout: 10_000 }).toEqual([`promotion.variables:${ids.prod}`]);
  });

  it('travel in a backup: a restore brings them back', async () => {
    const { core, ids } = await twoInstances();
    const before = [{ name: 'API_BASE', value: DEV }];
    await data(core.call('promotions:setVariables', { instanceId: ids.dev, variables: before }));
    const made = await data(core.call('backups:export', {}));
    await data(
      core.call('promotions:setVariables', { instanceId: ids.dev, variables: [{ name: 'OTHER', value: 'x' }] }),
    );
    const plan = await data(core.call('backups:inspect', { source: { kind: 'file', path: made.file.path } }));
    await data(core.call('backups:restore', { restoreId: plan.restoreId }));
    expect((await data(core.call('promotions:variables', { instanceId: ids.dev }))).variables).toEqual(before);
  });

  it("the plan rewrites the source's values to the target's and lists them; promote writes them", async () => {
    const { core, dev, prod, ids } = await twoInstances();
    dev.addWorkflow('d-api', 'Calls API', { nodes: apiNodes(DEV) });
    await data(
      core.call('promotions:setVariables', { instanceId: ids.dev, variables: [{ name: 'API_BASE', value: DEV }] }),
    );
    await data(
      core.call('promotions:setVariables', { instanceId: ids.prod, variables: [{ name: 'API_BASE', value: PROD }] }),
    );
    const plan = await data(core.call('promotions:plan', selection(ids, ['d-api'])));
    expect(plan.ok).toBe(true);
    expect(plan.items[0]!.variables).toEqual([
      { name: 'API_BASE', from: DEV, to: PROD, nodes: ['Call API', 'Note'], count: 3 },
    ]);
    const promotion = await data(core.call('promotions:promote', { ...selection(ids, ['d-api']), activation: 'keep' }));
    expect(promotion.status).toBe('done');
    const audit = await data(core.call('audit:list', { limit: 20 }));
    expect(audit.entries.find((e) => e.action === 'promotion.promote')?.details).toMatchObject({
      variables: { 'Calls API': [`API_BASE: ${DEV} → ${PROD}`] },
    });
    const written = prod.state.workflows.find((w) => w.name === 'Calls API')!;
    expect(written.nodes.find((n) => n.name === 'Call API')?.parameters).toEqual({
      url: `${PROD}/v1/orders`,
      options: {},
    });
    expect(written.nodes.find((n) => n.name === 'Note')?.parameters).toEqual({
      value: `={{ "${PROD}" + "/v1" }}`,
      list: [{ link: `${PROD}/docs` }, 7, true],
    });
    // The source is untouched; planned again, the target already holds its own values.
    expect(dev.state.workflows.find((w) => w.id === 'd-api')?.nodes[1]?.parameters).toEqual({
      url: `${DEV}/v1/orders`,
      options: {},
    });
    const again = await data(core.call('promotions:plan', selection(ids, ['d-api'])));
    expect(again.items[0]).toMatchObject({ status: 'unchanged' });
    // Rolled back: created, so deleted (unchanged by variables).
    expect((await data(core.call('promotions:rollback', { id: promotion.id }))).status).toBe('rolled-back');
  });

  it('refuses a workflow holding a source value whose variable the target lacks, and writes nothing', async () => {
    const { core, dev, prod, ids } = await twoInstances();
    dev.addWorkflow('d-api', 'Calls API', { nodes: apiNodes(DEV) });
    await data(
      core.call('promotions:setVariables', { instanceId: ids.dev, variables: [{ name: 'API_BASE', value: DEV }] }),
    );
    const plan = await data(core.call('promotions:plan', selection(ids, ['d-api'])));
    expect(plan.ok).toBe(false);
    expect(plan.items[0]!.refusals).toEqual([
      `Nodes "Call API", "Note" hold API_BASE of dev (${DEV}), which prod does not have: set API_BASE on prod first.`,
    ]);
    const writes = prod.state.writes.length;
    const reply = await core.call('promotions:promote', { ...selection(ids, ['d-api']), activation: 'keep' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(reply.ok ? '' : reply.error.message).toMatch(/set API_BASE on prod first/);
    expect(prod.state.writes.length).toBe(writes);
  });

  it('rewrites longest value first, in one pass, and reports values mapped two ways', () => {
    const node = (name: string, parameters: Record<string, unknown>) => ({
      name,
      type: 'n8n-nodes-base.set',
      typeVersion: 1,
      position: [0, 0] as [number, number],
      parameters,
    });
    const vars = {
      source: [
        { name: 'HOST', value: 'dev.example.test' },
        { name: 'API_BASE', value: 'https://dev.example.test/api' },
        { name: 'ENV', value: 'dev' },
        { name: 'SAME', value: 'shared' },
      ],
      target: [
        { name: 'HOST', value: 'prod.example.test' },
        { name: 'API_BASE', value: 'https://api.example.test' },
        // Holds the source's value of another variable: never rewritten a second time.
        { name: 'ENV', value: 'dev-prod' },
        { name: 'SAME', value: 'shared' },
      ],
      sourceName: 'dev',
      targetName: 'prod',
    };
    const r = rewriteVariables(
      [node('A', { url: 'https://dev.example.test/api/x', host: 'dev.example.test', env: 'dev', s: 'shared' })],
      vars,
    );
    expect(r.nodes[0]!.parameters).toEqual({
      url: 'https://api.example.test/x',
      host: 'prod.example.test',
      env: 'dev-prod',
      s: 'shared',
    });
    // A variable of equal value on both sides is not listed.
    expect(r.rewrites.map((w) => [w.name, w.count])).toEqual([
      ['API_BASE', 1],
      ['ENV', 1],
      ['HOST', 1],
    ]);
    expect(r.problems).toEqual([]);

    const ambiguous = rewriteVariables([node('B', { v: 'x-1' })], {
      ...vars,
      source: [
        { name: 'A1', value: 'x-1' },
        { name: 'A2', value: 'x-1' },
      ],
      target: [
        { name: 'A1', value: 'p-1' },
        { name: 'A2', value: 'p-2' },
      ],
    });
    expect(ambiguous.problems).toEqual([{ kind: 'ambiguous', names: ['A1', 'A2'], value: 'x-1', nodes: ['B'] }]);
    expect(ambiguous.nodes[0]!.parameters).toEqual({ v: 'x-1' });
    // No variables: nothing changes.
    expect(
      rewriteVariables([node('C', { v: 'dev' })], { ...vars, source: [], target: [] }).nodes[0]!.parameters,
    ).toEqual({ v: 'dev' });
  });
});
