import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { tempDir } from '../../src/main/core/testing/test-core';
import {
  api,
  createWebhookWorkflow,
  makeLive,
  N8N_MAJOR,
  sharedN8n,
  startN8n,
  waitForWebhook,
  webhookWorkflow,
  type N8nInstance,
} from './harness';
import { addInstance, data } from './support';

// Drafts and n8n-side snapshots against real n8n: a draft pushed, the remote changed behind it
// (on 2.x a rename alone keeps the versionId), the conflict detected; the draft or the published
// version cloned; workflows migrated between two instances on two ports. In the 2.x run the
// source is a 1.x instance, so the migration crosses lines (and meets the Start node n8n 2.0
// removed); in the 1.x run both are 1.x.
const SOURCE_VERSION = N8N_MAJOR >= 2 ? '1.123.81' : undefined;
let source: N8nInstance;
let target: N8nInstance;
let core: Core;
let cleanupDir: () => void;
const ids = { source: '', target: '' };

beforeAll(async () => {
  // The target is the run's shared n8n; the source, a second instance (of the other line on 2.x),
  // is this file's own.
  [source, target] = await Promise.all([startN8n({ version: SOURCE_VERSION }), sharedN8n()]);
  const dir = tempDir();
  cleanupDir = dir.remove;
  core = createCore({ dataDir: dir.path, clock: systemClock });
  for (const [key, n8n] of [
    ['source', source],
    ['target', target],
  ] as const)
    ids[key] = await addInstance(core, n8n, key, { sync: true });
});
afterAll(async () => {
  await core?.close();
  cleanupDir?.();
  await Promise.all([source?.dispose(), target?.dispose()]);
});

const nameOf = async (n8n: N8nInstance, id: string) =>
  (await api<{ name: string }>(n8n, 'GET', `/workflows/${id}`)).name;

/** A 1.x workflow that kept its old Start node beside the Webhook trigger. */
function legacyWorkflow(path: string) {
  const body = webhookWorkflow({ path, name: 'Legacy start' });
  body.nodes.push({
    id: 'a1b2c3d4-0000-4000-8000-000000000009',
    name: 'Start',
    type: 'n8n-nodes-base.start',
    typeVersion: 1,
    position: [0, 300],
    parameters: {},
  });
  return body;
}

describe('drafts and migration against real n8n', () => {
  it('pushes a cloned draft, pushes again, then refuses to overwrite a rename made in n8n', async () => {
    const workflowId = await createWebhookWorkflow(target, { path: 'fd-draft', name: 'Draft me' });
    const draft = await data(core.call('drafts:clone', { instanceId: ids.target, workflowId }));
    expect(draft).toMatchObject({ baseKind: 'draft' });
    expect(draft.workflow.nodes.map((n) => n.name)).toEqual(['Webhook', 'Set']);

    const renamed = { ...draft.workflow, name: 'Draft me (edited offline)' };
    await data(core.call('drafts:update', { id: draft.id, workflow: renamed }));
    const pushed = await data(core.call('drafts:push', { id: draft.id }));
    expect(pushed.push).toMatchObject({ status: 'done' });
    expect(await nameOf(target, workflowId)).toBe('Draft me (edited offline)');
    // A second push from the new base: no false conflict.
    await data(core.call('drafts:update', { id: draft.id, workflow: { ...renamed, name: 'Draft me (twice)' } }));
    expect((await data(core.call('drafts:push', { id: draft.id }))).push).toMatchObject({ status: 'done' });

    // Someone renames the workflow in n8n (nodes unchanged); the draft is edited from its old base.
    const before = await api<{ versionId: string }>(target, 'GET', `/workflows/${workflowId}`);
    const after = await api<{ versionId: string }>(target, 'PUT', `/workflows/${workflowId}`, {
      ...webhookWorkflow({ path: 'fd-draft' }),
      name: 'Changed in n8n',
    });
    // 2.x keeps the versionId on a rename: only updatedAt tells the change.
    expect(after.versionId === before.versionId).toBe(N8N_MAJOR >= 2);
    await data(core.call('drafts:update', { id: draft.id, workflow: { ...renamed, name: 'Mine again' } }));
    const conflict = await core.call('drafts:push', { id: draft.id });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const reasons = conflict.ok ? [] : (conflict.error.details as { reasons: string[] }).reasons;
    expect(reasons).toEqual(N8N_MAJOR >= 2 ? ['updatedAt'] : ['versionId', 'updatedAt']);
    expect(await nameOf(target, workflowId)).toBe('Changed in n8n');

    const forced = await data(core.call('drafts:push', { id: draft.id, override: true }));
    expect(forced.push).toMatchObject({ status: 'done' });
    expect(await nameOf(target, workflowId)).toBe('Mine again');
  });

  it('clones the saved draft or the published version (they differ on 2.x after an unpublished save)', async () => {
    const workflowId = await createWebhookWorkflow(target, { path: 'fd-live', name: 'Two versions' });
    // Saved without publishing (2.x; 1.x puts the save live at once).
    const res = await fetch(
      `${target.baseUrl}/api/v1/workflows/${workflowId}${N8N_MAJOR >= 2 ? '?publishIfActive=false' : ''}`,
      {
        method: 'PUT',
        headers: { 'X-N8N-API-KEY': target.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(webhookWorkflow({ path: 'fd-saved', name: 'Two versions' })),
      },
    );
    expect(res.status).toBe(200);
    const pathOf = (d: { workflow: { nodes: { parameters: Record<string, unknown> }[] } }) =>
      d.workflow.nodes[0]?.parameters.path;
    const ofDraft = await data(core.call('drafts:clone', { instanceId: ids.target, workflowId, version: 'draft' }));
    const ofLive = await data(core.call('drafts:clone', { instanceId: ids.target, workflowId, version: 'published' }));
    expect(pathOf(ofDraft)).toBe('fd-saved');
    expect(pathOf(ofLive)).toBe(N8N_MAJOR >= 2 ? 'fd-live' : 'fd-saved');
    expect(ofLive).toMatchObject({ baseKind: 'published' });
    if (N8N_MAJOR >= 2) {
      // Pushing the published version back would overwrite the newer saved draft: refused.
      expect(await core.call('drafts:push', { id: ofLive.id })).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT' },
      });
    }
  });

  it('migrates the workflows of one instance into another, with a pre-flight of their node types', async () => {
    await createWebhookWorkflow(source, { path: 'fd-migrate', name: 'Migrate me' });
    await api(source, 'POST', '/workflows', legacyWorkflow('fd-legacy'));
    const snapshot = await data(core.call('backups:snapshotTake', { instanceId: ids.source, label: 'before move' }));

    const dry = await data(
      core.call('drafts:preflight', { snapshotId: snapshot.id, targetInstanceId: ids.target, version: 'draft' }),
    );
    expect(dry).toMatchObject({ targetVersion: target.version, checked: snapshot.workflowCount });
    if (N8N_MAJOR >= 2) {
      expect(dry.ok).toBe(false);
      expect(dry.workflows.map((w) => w.name)).toEqual(['Legacy start']);
      expect(dry.workflows[0]?.problems[0]).toMatchObject({ node: 'Start', severity: 'error' });
    } else expect(dry).toMatchObject({ ok: true, workflows: [] });
    // A dry run writes nothing into the target.
    const names = async () =>
      (await api<{ data: { name: string }[] }>(target, 'GET', '/workflows?limit=250')).data.map((w) => w.name);
    expect(await names()).not.toContain('Migrate me');

    const result = await data(
      core.call('backups:snapshotRestore', { snapshotId: snapshot.id, targetInstanceId: ids.target }),
    );
    expect(result.created).toBeGreaterThanOrEqual(2);
    const there = await api<{ data: { id: string; name: string; nodes: { name: string }[] }[] }>(
      target,
      'GET',
      '/workflows?limit=250',
    );
    const migrated = there.data.find((w) => w.name === 'Migrate me');
    expect(migrated?.nodes.map((n) => n.name)).toEqual(['Webhook', 'Set']);
    const legacy = there.data.find((w) => w.name === 'Legacy start')!;
    if (N8N_MAJOR >= 2) {
      expect(result.warnings.some((w) => /^"Legacy start": cannot run Start/.test(w))).toBe(true);
      // The warning was right: n8n 2.x cannot make it live.
      const refused = await fetch(`${target.baseUrl}/api/v1/workflows/${legacy.id}/publish`, {
        method: 'POST',
        headers: { 'X-N8N-API-KEY': target.apiKey },
      });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/Unrecognized node type/);
    } else {
      expect(result.warnings.some((w) => /Legacy start/.test(w))).toBe(false);
      await makeLive(target, legacy.id);
      await waitForWebhook(target, 'fd-legacy');
    }
  });
});
