import { afterEach, describe, expect, it } from 'vitest';
import type { CallInput } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import { systemClock } from '../clock';
import { createCore, type Core } from '../create-core';
import { createMappingService } from '../mappings/mapping-service';
import { N8nClient } from '../n8n/client';
import { startFakeN8n, type FakeN8n } from '../testing/fake-n8n';
import { webhookWorkflow } from '../testing/n8n-workflows';
import { tempDir, testContext } from '../testing/test-core';
import { KITS } from './kits';
import type { TemplatesN8nPort } from './n8n-port';
import { createTemplateInstaller } from './template-installer';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const FLIGHTDECK_TYPE = 'n8n-nodes-flightdeck.flightdeckApproval';

/** A whole core on a temp store with one instance on the loopback fake n8n (1.x unless told). */
async function consoleWith(version?: string): Promise<{ core: Core; n8n: FakeN8n; instanceId: string }> {
  const n8n = await startFakeN8n(version ? { version } : {});
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock, checkOutputs: true });
  cleanups.push(
    dir.remove,
    () => n8n.close(),
    () => core.close(),
  );
  const added = await core.call('instances:add', {
    name: 'dev',
    baseUrl: n8n.baseUrl,
    apiKey: n8n.apiKey,
    environment: 'dev',
    color: '#2f6fed',
    syncEnabled: false,
  });
  if (!added.ok) throw new Error(added.error.message);
  return { core, n8n, instanceId: added.data.id };
}

const install = (core: Core, input: CallInput<'templates:install'>) => core.call('templates:install', input);

async function actions(core: Core): Promise<string[]> {
  const r = await core.call('audit:list', { limit: 100 });
  if (!r.ok) throw new Error(r.error.message);
  return r.data.entries.map((e) => e.action).reverse();
}

async function mappingsOf(core: Core) {
  const r = await core.call('mappings:list', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.data;
}

async function schedulesOf(core: Core) {
  const r = await core.call('schedules:list', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.data.schedules;
}

/** Nothing of an install anywhere: no workflow in n8n, no mapping, no schedule, no install entry. */
async function expectNothingInstalled(core: Core, n8n: FakeN8n) {
  expect(n8n.state.workflows).toEqual([]);
  expect(await mappingsOf(core)).toEqual([]);
  expect(await schedulesOf(core)).toEqual([]);
  const done = await actions(core);
  expect(done).not.toContain('template.install');
  expect(done).not.toContain('mapping.create');
  expect(done).not.toContain('schedule.create');
}

describe('starter templates: the kits', () => {
  it('lists every kit with its fields, nodes and the package it needs', async () => {
    const { core } = await consoleWith();
    const r = await core.call('templates:list', {});
    if (!r.ok) throw new Error(r.error.message);
    expect(r.data.templates.map((t) => t.id)).toEqual([
      'approval-gated-webhook',
      'failure-alert',
      'scheduled-report',
      'flightdeck-approval',
    ]);
    const byId = new Map(r.data.templates.map((t) => [t.id, t]));
    expect(byId.get('flightdeck-approval')).toMatchObject({ needsPackage: 'n8n-nodes-flightdeck' });
    expect(byId.get('flightdeck-approval')!.nodes.map((n) => n.type)).toContain(FLIGHTDECK_TYPE);
    expect(byId.get('scheduled-report')!.fields.map((f) => f.kind)).toEqual([
      'event',
      'webhookPath',
      'cron',
      'timeZone',
    ]);
    for (const t of r.data.templates) expect(t.fields.map((f) => f.key)).toContain('webhookPath');
  });
});

describe('starter templates: install into the fake n8n (1.x)', () => {
  it.each(KITS.map((k) => [k.id]))(
    '%s: workflow live in n8n, mapping (and schedule) here, one audit entry',
    async (id) => {
      const { core, n8n, instanceId } = await consoleWith();
      const path = `kits/${id}`;
      const r = await install(core, { templateId: id, instanceId, values: { event: 'kit.test', webhookPath: path } });
      if (!r.ok) throw new Error(r.error.message);
      const { installed } = r.data;
      expect(installed).not.toBeNull();

      // n8n: one workflow, live, serving the chosen path; fresh node ids (not the kit's placeholders).
      expect(n8n.state.workflows).toHaveLength(1);
      const wf = n8n.state.workflows[0]!;
      expect(wf).toMatchObject({ id: installed!.workflow.id, active: true });
      const trigger = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
      expect(trigger?.parameters).toMatchObject({ path, httpMethod: 'POST' });
      expect(wf.nodes.every((n) => typeof n.id === 'string' && !n.id.startsWith('00000000-'))).toBe(true);

      // Here: the mapping routes the event to that workflow's path.
      const mappings = await mappingsOf(core);
      expect(mappings).toHaveLength(1);
      expect(mappings[0]).toMatchObject({
        id: installed!.mapping.id,
        event: 'kit.test',
        instanceId,
        workflowId: wf.id,
        webhookPath: path,
        requiresApproval: id === 'approval-gated-webhook',
      });
      const schedules = await schedulesOf(core);
      expect(schedules).toHaveLength(id === 'scheduled-report' ? 1 : 0);
      if (id === 'scheduled-report') {
        expect(schedules[0]).toMatchObject({ event: 'kit.test', timing: { kind: 'cron', expression: '0 8 * * 1-5' } });
        expect(installed!.schedule).toMatchObject({ id: schedules[0]!.id });
      }
      expect((await actions(core)).filter((a) => a === 'template.install')).toHaveLength(1);
      if (id === 'flightdeck-approval') {
        // 1.x does not list community packages: a warning, and the credential left to choose in n8n.
        expect(r.data.warnings.join(' ')).toMatch(/does not list its community packages/);
        expect(r.data.warnings.join(' ')).not.toMatch(/does not say which community packages/);
        expect(r.data.nextSteps.join(' ')).toMatch(/Flightdeck API credential/);
      }
    },
  );

  it('an event emitted after the install runs through the gate and reaches the workflow once approved', async () => {
    const { core, n8n, instanceId } = await consoleWith();
    const r = await install(core, {
      templateId: 'approval-gated-webhook',
      instanceId,
      values: { event: 'refund.requested', webhookPath: 'refunds/approved' },
    });
    if (!r.ok) throw new Error(r.error.message);
    const emitted = await core.call('ingest:emit', {
      event: 'refund.requested',
      payload: { orderId: 'A-1', amount: 40, currency: 'EUR' },
    });
    if (!emitted.ok) throw new Error(emitted.error.message);
    const pending = await core.call('approvals:list', { filter: { status: 'open' } });
    if (!pending.ok) throw new Error(pending.error.message);
    expect(pending.data.items).toHaveLength(1);
    expect(pending.data.items[0]!.summary).toBe('Refund A-1 · 40 EUR');
    const decided = await core.call('approvals:decide', { id: pending.data.items[0]!.id, decision: 'approve' });
    if (!decided.ok) throw new Error(decided.error.message);
    await expect
      .poll(() => n8n.state.doorCalls.filter((c) => c.path === '/webhook/refunds/approved').length, { timeout: 10_000 })
      .toBe(1);
  });

  it('the audit entry keeps an alert address only as its origin (its path may hold a secret)', async () => {
    const { core, n8n, instanceId } = await consoleWith();
    const alertUrl = 'https://hooks.example.com/services/T000/B000/s3cr3t-token';
    const r = await install(core, { templateId: 'failure-alert', instanceId, values: { alertUrl } });
    if (!r.ok) throw new Error(r.error.message);
    const entries = await core.call('audit:list', { limit: 10, action: 'template.install' });
    if (!entries.ok) throw new Error(entries.error.message);
    expect(entries.data.entries[0]!.details).toMatchObject({ values: { alertUrl: 'https://hooks.example.com/…' } });
    expect(JSON.stringify(entries.data.entries)).not.toContain('s3cr3t');
    // n8n gets the whole address: it posts the alerts.
    const send = n8n.state.workflows[0]!.nodes.find((n) => n.name === 'Send alert');
    expect(send?.parameters).toMatchObject({ url: alertUrl });
  });

  it('a dry run checks and creates nothing; activate:false leaves the workflow off', async () => {
    const { core, n8n, instanceId } = await consoleWith();
    const dry = await install(core, { templateId: 'failure-alert', instanceId, dryRun: true });
    if (!dry.ok) throw new Error(dry.error.message);
    expect(dry.data).toMatchObject({ dryRun: true, installed: null, preflight: { ok: true } });
    expect(n8n.state.writes).toEqual([]);
    await expectNothingInstalled(core, n8n);

    const off = await install(core, { templateId: 'failure-alert', instanceId, activate: false });
    if (!off.ok) throw new Error(off.error.message);
    expect(off.data.installed!.workflow.active).toBe(false);
    expect(n8n.state.workflows[0]!.active).toBe(false);
    expect(n8n.state.requests.some((r) => r.includes('/activate'))).toBe(false);
  });
});

describe('starter templates: pre-flight', () => {
  it('refuses the Flightdeck-node kit where n8n 2.x lists no such package, says what to do, creates nothing', async () => {
    const { core, n8n, instanceId } = await consoleWith('2.41.1');
    const dry = await install(core, { templateId: 'flightdeck-approval', instanceId, dryRun: true });
    if (!dry.ok) throw new Error(dry.error.message);
    expect(dry.data.preflight.ok).toBe(false);
    expect(dry.data.preflight.checkedWith).toContain('community-packages');
    expect(dry.data.nextSteps).toEqual([expect.stringMatching(/^Install n8n-nodes-flightdeck on that n8n first/)]);

    const refused = await install(core, { templateId: 'flightdeck-approval', instanceId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (refused.ok) return;
    expect(refused.error.message).toMatch(/not installed on the target/);
    expect(refused.error.message).toMatch(/Community nodes → Install → "n8n-nodes-flightdeck"/);
    expect(n8n.state.writes).toEqual([]);
    await expectNothingInstalled(core, n8n);

    // With the package installed there, the same kit installs and is published (2.x).
    n8n.state.communityNodeTypes = [FLIGHTDECK_TYPE, 'n8n-nodes-flightdeck.flightdeckEvent'];
    const ok = await install(core, { templateId: 'flightdeck-approval', instanceId });
    if (!ok.ok) throw new Error(ok.error.message);
    expect(ok.data.warnings.join(' ')).not.toMatch(/community packages/);
    expect(n8n.state.requests.some((r) => r.endsWith(`/workflows/${ok.data.installed!.workflow.id}/publish`))).toBe(
      true,
    );
  });

  it('refuses a webhook path a live workflow already serves; warns for one that is off', async () => {
    const { core, n8n, instanceId } = await consoleWith();
    n8n.addWorkflow('wf-live', 'Existing orders', { nodes: webhookWorkflow({ path: 'orders/new' }).nodes });
    n8n.addWorkflow('wf-off', 'Old draft', { active: false, nodes: webhookWorkflow({ path: 'orders/old' }).nodes });
    const clash = await install(core, {
      templateId: 'scheduled-report',
      instanceId,
      values: { webhookPath: 'orders/new' },
    });
    expect(clash).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (!clash.ok)
      expect(clash.error.message).toMatch(/"Existing orders" \(wf-live\) already serves \/webhook\/orders\/new/);
    expect(n8n.state.workflows).toHaveLength(2);
    expect(await mappingsOf(core)).toEqual([]);

    const warned = await install(core, {
      templateId: 'scheduled-report',
      instanceId,
      values: { webhookPath: 'orders/old' },
    });
    if (!warned.ok) throw new Error(warned.error.message);
    expect(warned.data.warnings.join(' ')).toMatch(/"Old draft" \(wf-off\) uses the path orders\/old too/);
  });
});

describe('starter templates: bad input changes nothing', () => {
  it.each<[string, Partial<CallInput<'templates:install'>>, RegExp]>([
    ['an unknown template', { templateId: 'nope' }, /No template "nope"/],
    ['an unknown instance', { instanceId: 'missing' }, /Unknown instance missing/],
    ['an unknown field', { values: { colour: 'red' } }, /values\.colour/],
    ['a bad webhook path', { values: { webhookPath: '/leading/slash' } }, /values\.webhookPath \(Webhook path\)/],
    ['a path with ..', { values: { webhookPath: 'a/../b' } }, /values\.webhookPath/],
    ['a bad event', { values: { event: 'has space' } }, /values\.event \(Event name\)/],
    ['a bad cron', { values: { cron: '99 * * * *' } }, /values\.cron \(Cron expression\): Invalid cron/],
    ['an unknown zone', { values: { timeZone: 'Mars/Olympus' } }, /values\.timeZone \(Time zone\): Unknown time zone/],
    ['an empty value', { values: { event: '  ' } }, /values\.event \(Event name\): a value is needed/],
  ])('%s', async (_name, change, message) => {
    const { core, n8n, instanceId } = await consoleWith();
    const r = await install(core, { templateId: 'scheduled-report', instanceId, ...change });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
    expect(n8n.state.writes).toEqual([]);
    await expectNothingInstalled(core, n8n);
  });

  it('a non-URL alert address is refused before n8n is asked', async () => {
    const { core, n8n, instanceId } = await consoleWith();
    const r = await install(core, {
      templateId: 'failure-alert',
      instanceId,
      values: { alertUrl: 'javascript:alert(1)' },
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/alertUrl/) } });
    expect(n8n.state.requests).toEqual([]);
  });
});

describe('starter templates: a failed step undoes the earlier ones', () => {
  it('n8n refusing to make the workflow live: the workflow is deleted, nothing is kept, the rollback is audited', async () => {
    const { core, n8n, instanceId } = await consoleWith();
    // The activation answers 400 (as n8n does for a workflow it cannot start); the delete that follows works.
    n8n.state.apiHold = (request) => {
      if (request.startsWith('POST') && request.endsWith('/activate')) n8n.state.failWith = 400;
      if (request.startsWith('DELETE')) n8n.state.failWith = undefined;
      return undefined;
    };
    const r = await install(core, { templateId: 'scheduled-report', instanceId });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toMatch(/failed while making the workflow live in n8n/);
    expect(r.error.message).toMatch(/was deleted; nothing was kept/);
    expect(n8n.state.requests.filter((q) => q.startsWith('DELETE /api/v1/workflows/'))).toHaveLength(1);
    await expectNothingInstalled(core, n8n);
    expect(await actions(core)).toContain('template.rollback');
  });

  it('the instance removed mid-install: the local step fails, and a workflow n8n kept is named for the operator', async () => {
    const { core, n8n, instanceId } = await consoleWith();
    n8n.state.apiHold = (request) => {
      if (!request.endsWith('/activate')) return undefined;
      return core.call('instances:remove', { id: instanceId });
    };
    const r = await install(core, { templateId: 'approval-gated-webhook', instanceId });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toMatch(/failed while saving the mapping and schedule: Unknown instance/);
    expect(r.error.message).toMatch(/could not be deleted .*: delete it in n8n\. Nothing was kept here\./);
    expect(await mappingsOf(core)).toEqual([]);
    expect(n8n.state.workflows).toHaveLength(1);
  });

  /** The installer on a real store and the fake n8n through a real client; the port can be bent. */
  async function bareInstaller(bend: { port?: Partial<TemplatesN8nPort>; failSchedule?: boolean } = {}) {
    const n8n = await startFakeN8n();
    const t = testContext();
    const client = new N8nClient({ baseUrl: n8n.baseUrl, apiKey: n8n.apiKey });
    cleanups.push(
      t.cleanup,
      () => n8n.close(),
      () => client.close(),
    );
    const port: TemplatesN8nPort = {
      instanceName: (id) => (id === 'dev' ? 'dev' : null),
      targetInfo: async () => ({ version: await client.version(), communityNodeTypes: null }),
      servedPaths: async () => [],
      createWorkflow: (_i, body) => client.createWorkflow({ ...body }),
      findByNodeId: async (_i, nodeId) =>
        (await client.listAllWorkflows()).find((w) => w.nodes.some((n) => n.id === nodeId)) ?? null,
      makeLive: async (_i, id) => void (await client.setWorkflowLive(id, true)),
      deleteWorkflow: async (_i, id) => void (await client.deleteWorkflow(id)),
      ...bend.port,
    };
    const mappings = createMappingService(t.ctx, t.audit, { instanceBaseUrl: () => n8n.baseUrl });
    const installer = createTemplateInstaller(t.ctx, t.audit, {
      port,
      kits: KITS,
      mappings,
      schedules: {
        create: () => {
          throw new Error(bend.failSchedule ? 'disk full' : 'this test installs no schedule');
        },
        forget: () => undefined,
      },
    });
    const auditActions = () => t.ctx.store.db.prepare('SELECT action FROM audit_log ORDER BY id').pluck().all();
    return { n8n, client, installer, mappings, auditActions };
  }

  it('a schedule that fails to save rolls back the mapping in the same transaction and deletes the workflow', async () => {
    const { n8n, installer, mappings, auditActions } = await bareInstaller({ failSchedule: true });
    await expect(
      installer.install({ templateId: 'scheduled-report', instanceId: 'dev', values: {}, dryRun: false }),
    ).rejects.toThrow(/failed while saving the mapping and schedule: disk full.*was deleted/);
    expect(mappings.list()).toEqual([]);
    expect(n8n.state.workflows).toEqual([]);
    expect(auditActions()).toEqual(['template.rollback']);
  });

  it('n8n saved the workflow but its answer was lost: found by the fresh node id and deleted', async () => {
    const creator: { client?: N8nClient } = {};
    const { n8n, client, installer, mappings, auditActions } = await bareInstaller({
      port: {
        createWorkflow: async (_i, body) => {
          await creator.client!.createWorkflow({ ...body });
          throw new AppError('N8N_UNREACHABLE', 'n8n did not answer in time.', { retryable: true });
        },
      },
    });
    creator.client = client;
    const failed = installer.install({ templateId: 'failure-alert', instanceId: 'dev', values: {}, dryRun: false });
    await expect(failed).rejects.toMatchObject({ code: 'N8N_UNREACHABLE', retryable: true });
    await expect(failed).rejects.toThrow(
      /failed while creating the workflow in n8n: n8n did not answer in time.*was deleted/,
    );
    expect(n8n.state.workflows).toEqual([]);
    expect(mappings.list()).toEqual([]);
    expect(auditActions()).toEqual(['template.rollback']);
  });

  it('n8n unreachable for the create and the look-up: the error says what may be left', async () => {
    const { n8n, installer, auditActions } = await bareInstaller({
      port: {
        createWorkflow: () => Promise.reject(new AppError('N8N_UNREACHABLE', 'n8n did not answer in time.')),
        findByNodeId: () => Promise.reject(new AppError('N8N_UNREACHABLE', 'still down')),
      },
    });
    await expect(
      installer.install({ templateId: 'failure-alert', instanceId: 'dev', values: {}, dryRun: false }),
    ).rejects.toThrow(/could not be asked whether it saved "Failure alert: failure\.alert" anyway/);
    expect(n8n.state.workflows).toEqual([]);
    expect(auditActions()).toEqual([]);
  });
});
