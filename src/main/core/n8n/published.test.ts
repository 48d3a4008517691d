import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../db/store';
import { testCore } from '../testing/test-core';
import { N8nClient } from './client';
import { startFakeN8n, type FakeWorkflow } from '../testing/fake-n8n';
import { createWebhookGrace, WEBHOOK_GRACE_MS } from './webhook-grace';

// Published versus saved draft (n8n 2.x) through the core: the sync reads what runs, the
// Workflows view says when a draft differs, the console publishes with 2.x's verbs, and the
// dispatcher's post-publish grace can be told from the store.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(version: string) {
  const fake = await startFakeN8n({ version });
  const t = testCore({ n8n: { retries: 0 } });
  cleanups.push(fake.close, t.cleanup);
  const added = await t.core.call('instances:add', {
    name: 'prod',
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    environment: 'prod',
    color: '#2f6fed',
    syncEnabled: false,
  });
  if (!added.ok) throw new Error(added.error.message);
  const id = added.data.id;
  const sync = async () => {
    const r = await t.core.call('instances:syncNow', { id });
    if (!r.ok || r.data.outcome !== 'ok') throw new Error(JSON.stringify(r));
    // The version is read beside the pass; wait for it so later calls know the line.
    await expect
      .poll(async () => {
        const list = await t.core.call('instances:list', {});
        return list.ok ? list.data.instances[0]?.sync.n8nVersion : undefined;
      })
      .toBe(version);
  };
  const workflow = async (workflowId: string) => {
    const r = await t.core.call('workflows:get', { instanceId: id, workflowId });
    if (!r.ok) throw new Error(r.error.message);
    return r.data.workflow;
  };
  // A second connection to the same file: what the dispatcher would read.
  const db = () => {
    const read = new Database(join(t.dataDir, STORE_FILE), { readonly: true });
    cleanups.push(() => void read.close());
    return read;
  };
  /** Someone saves a new webhook path in n8n's editor (2.x: a draft; 1.x: live at once if active). */
  const saveInEditor = (workflowId: string, path: string) =>
    fake.editWorkflow(workflowId, (wf: FakeWorkflow) => {
      wf.nodes = wf.nodes.map((n) =>
        n.type === 'n8n-nodes-base.webhook' ? { ...n, parameters: { ...n.parameters, path } } : n,
      );
    });
  return { fake, t, id, sync, workflow, db, saveInEditor };
}

describe('published and draft versions (n8n 2.x)', () => {
  it('serves and links by the published version while an unpublished draft differs', async () => {
    const { fake, sync, workflow, saveInEditor } = await setup('2.41.1');
    fake.addWorkflow('w1', 'Orders', { path: 'orders' });
    fake.addWorkflow('w2', 'Old', { active: false }).isArchived = true;
    await sync();
    expect(await workflow('w1')).toMatchObject({
      active: true,
      webhookPaths: ['orders'],
      versionId: 'v-w1',
      activeVersionId: 'v-w1',
      draftDiffers: false,
      n8nVersion: '2.41.1',
    });
    expect(await workflow('w2')).toMatchObject({ archived: true, active: false });

    saveInEditor('w1', 'orders-v2'); // saved in n8n's editor, not published
    await sync();
    expect(await workflow('w1')).toMatchObject({
      webhookPaths: ['orders'],
      draftWebhookPaths: ['orders-v2'],
      versionId: expect.not.stringMatching(/^v-w1$/),
      activeVersionId: 'v-w1',
      draftDiffers: true,
    });
  });

  it('on 1.x a saved edit of an active workflow is what runs: no draft differs', async () => {
    const { fake, sync, workflow, saveInEditor } = await setup('1.123.81');
    fake.addWorkflow('w1', 'Orders', { path: 'orders' });
    await sync();
    saveInEditor('w1', 'orders-v2');
    await sync();
    expect(await workflow('w1')).toMatchObject({
      webhookPaths: ['orders-v2'],
      draftDiffers: false,
      n8nVersion: '1.123.81',
    });
  });

  it('publishes with /publish on 2.x (audited as such) and opens the post-publish grace', async () => {
    const { fake, t, id, sync, workflow, db } = await setup('2.41.1');
    fake.addWorkflow('w1', 'Orders', { path: 'orders', active: false });
    fake.addWorkflow('w2', 'Other', { path: 'other', active: false });
    await sync();
    const grace = createWebhookGrace(db());
    expect(grace.webhookGrace(id, 'orders', t.clock.now())).toBe(false);

    const published = await t.core.call('workflows:setActive', { instanceId: id, workflowId: 'w1', active: true });
    expect(published).toMatchObject({
      ok: true,
      data: { active: true, activeVersionId: 'v-w1', liveSinceMs: t.clock.now() },
    });
    expect(fake.state.requests).toContain('POST /api/v1/workflows/w1/publish');
    const audit = await t.core.call('audit:list', {});
    expect(audit.ok && audit.data.entries.map((e) => e.action)).toContain('workflow.publish');

    const now = t.clock.now();
    expect(grace.webhookGraceReason(id, '/orders', now + 1_000)).toMatch(
      /n8n reports "Orders" active, live since 1 s ago/,
    );
    // Past the grace, a live workflow still counts: n8n reports it published.
    expect(grace.webhookGraceReason(id, 'orders', now + WEBHOOK_GRACE_MS + 1)).toMatch(
      /n8n reports "Orders" active with this webhook path/,
    );
    expect(grace.webhookGrace(id, 'other', now)).toBe(false); // never live
    expect(grace.webhookGrace(id, 'nowhere', now)).toBe(false); // no such path
    expect(grace.webhookGrace('another-instance', 'orders', now)).toBe(false);

    // A sync pass that still sees it live keeps the console's stamp.
    await sync();
    expect((await workflow('w1')).liveSinceMs).toBe(now);
    // A pass that read n8n's list before the publish landed (active = 0) keeps it too: within
    // the grace the stamp still speaks for the 404; past it, nothing does.
    const write = new Database(join(t.dataDir, STORE_FILE));
    cleanups.push(() => void write.close());
    write.prepare(`UPDATE workflows SET active = 0 WHERE instance_id = ? AND id = 'w1'`).run(id);
    expect(grace.webhookGraceReason(id, 'orders', now + 2_000)).toMatch(/^"Orders" went live 2 s ago/);
    expect(grace.webhookGrace(id, 'orders', now + WEBHOOK_GRACE_MS + 1)).toBe(false);
    write.prepare(`UPDATE workflows SET active = 1 WHERE instance_id = ? AND id = 'w1'`).run(id);

    const stopped = await t.core.call('workflows:setActive', { instanceId: id, workflowId: 'w1', active: false });
    expect(stopped).toMatchObject({ ok: true, data: { active: false, liveSinceMs: null } });
    expect(fake.state.requests).toContain('POST /api/v1/workflows/w1/unpublish');
    expect(grace.webhookGrace(id, 'orders', now + 1_000)).toBe(false);
  });

  it('activates with /activate on 1.x; a sync that sees a workflow go live stamps it', async () => {
    const { fake, t, id, sync, workflow } = await setup('1.123.81');
    fake.addWorkflow('w1', 'Orders', { path: 'orders', active: false });
    await sync();
    expect(await t.core.call('workflows:setActive', { instanceId: id, workflowId: 'w1', active: true })).toMatchObject({
      ok: true,
      data: { active: true },
    });
    expect(fake.state.requests).toContain('POST /api/v1/workflows/w1/activate');
    const audit = await t.core.call('audit:list', {});
    expect(audit.ok && audit.data.entries.map((e) => e.action)).toContain('workflow.activate');

    fake.addWorkflow('w2', 'Elsewhere', { path: 'elsewhere', active: false });
    await sync();
    expect((await workflow('w2')).liveSinceMs).toBeNull();
    fake.publishWorkflow('w2'); // activated in n8n's editor
    t.clock.advance(5_000);
    await sync();
    expect((await workflow('w2')).liveSinceMs).toBe(t.clock.now());
  });

  it('asks n8n when the sync has not seen a publish made in n8n yet (only on a 404), and never throws', async () => {
    const { fake, t, id, sync, db } = await setup('2.41.1');
    fake.addWorkflow('w1', 'Orders', { path: 'orders', active: false });
    await sync();
    const client = new N8nClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retries: 0 });
    cleanups.push(() => client.close());
    const grace = createWebhookGrace(db(), { liveWorkflows: async () => client.listAllWorkflows() });
    fake.publishWorkflow('w1'); // published in n8n's editor, after the last sync
    const now = t.clock.now();
    expect(grace.webhookGraceReason(id, 'orders', now)).toBeNull(); // the synced copy does not know yet
    expect(await grace.webhookGraceReasonLive(id, 'orders', now)).toMatch(
      /n8n reports "Orders" active.*not synced yet/,
    );
    expect(await grace.webhookGraceReasonLive(id, 'nowhere', now)).toBeNull();
    fake.state.failWith = 503;
    expect(await grace.webhookGraceReasonLive(id, 'orders', now)).toBeNull();
  });
});
