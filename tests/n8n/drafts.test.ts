import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { tempDir } from '../../src/main/core/testing/test-core';
import { api, createWebhookWorkflow, startN8n, webhookWorkflow, type N8nInstance } from './harness';
import { data } from './support';

// Drafts and n8n-side snapshots against real n8n: a draft pushed, the remote changed behind it,
// the conflict detected; workflows migrated between two instances on two loopback ports.
let source: N8nInstance;
let target: N8nInstance;
let core: Core;
let cleanupDir: () => void;
const ids = { source: '', target: '' };

beforeAll(async () => {
  [source, target] = await Promise.all([startN8n(), startN8n()]);
  const dir = tempDir();
  cleanupDir = dir.remove;
  core = createCore({ dataDir: dir.path, clock: systemClock });
  for (const [key, n8n] of [
    ['source', source],
    ['target', target],
  ] as const) {
    const added = await data(
      core.call('instances:add', {
        name: key,
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment: 'test',
        color: '#2f6fed',
        syncEnabled: false,
      }),
    );
    ids[key] = added.id;
  }
});
afterAll(async () => {
  await core?.close();
  cleanupDir?.();
  await Promise.all([source?.dispose(), target?.dispose()]);
});

describe('drafts and migration against real n8n', () => {
  it('pushes a cloned draft, then refuses to overwrite a remote that changed since', async () => {
    const workflowId = await createWebhookWorkflow(source, { path: 'fd-draft', name: 'Draft me' });
    const draft = await data(core.call('drafts:clone', { instanceId: ids.source, workflowId }));
    expect(draft.workflow.nodes.map((n) => n.name)).toEqual(['Webhook', 'Set']);

    const renamed = { ...draft.workflow, name: 'Draft me (edited offline)' };
    await data(core.call('drafts:update', { id: draft.id, workflow: renamed }));
    const pushed = await data(core.call('drafts:push', { id: draft.id }));
    expect(pushed.push).toMatchObject({ status: 'done' });
    expect((await api<{ name: string }>(source, 'GET', `/workflows/${workflowId}`)).name).toBe(
      'Draft me (edited offline)',
    );

    // Someone edits the workflow in n8n; the draft is edited again from its old base.
    await api(source, 'PUT', `/workflows/${workflowId}`, {
      ...webhookWorkflow({ path: 'fd-draft' }),
      name: 'Changed in n8n',
    });
    await data(core.call('drafts:update', { id: draft.id, workflow: { ...renamed, name: 'Mine again' } }));
    const conflict = await core.call('drafts:push', { id: draft.id });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await api<{ name: string }>(source, 'GET', `/workflows/${workflowId}`)).name).toBe('Changed in n8n');

    const forced = await data(core.call('drafts:push', { id: draft.id, override: true }));
    expect(forced.push).toMatchObject({ status: 'done' });
    expect((await api<{ name: string }>(source, 'GET', `/workflows/${workflowId}`)).name).toBe('Mine again');
  });

  it('migrates the workflows of one instance into another through a snapshot', async () => {
    await createWebhookWorkflow(source, { path: 'fd-migrate', name: 'Migrate me' });
    const snapshot = await data(core.call('backups:snapshotTake', { instanceId: ids.source, label: 'before move' }));
    const result = await data(
      core.call('backups:snapshotRestore', { snapshotId: snapshot.id, targetInstanceId: ids.target }),
    );
    expect(result.created).toBeGreaterThanOrEqual(2);
    const there = await api<{ data: { name: string; nodes: { name: string }[] }[] }>(
      target,
      'GET',
      '/workflows?limit=250',
    );
    const migrated = there.data.find((w) => w.name === 'Migrate me');
    expect(migrated?.nodes.map((n) => n.name)).toEqual(['Webhook', 'Set']);
  });
});
