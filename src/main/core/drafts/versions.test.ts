import { afterEach, describe, expect, it } from 'vitest';
import type { PushConflict, WorkflowDefinition } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import { createSnapshots } from '../backups/n8n-snapshots';
import { testContext } from '../testing/test-core';
import { createDraftsModule } from './drafts-module';
import { FakeN8n } from '../testing/fake-n8n-port';

// Drafts, snapshots and the pre-flight against n8n 2.x semantics (and 1.x where they differ):
// a rename keeps the versionId, a live workflow has a published version apart from its draft,
// and some 1.x node types are gone.
const node = (name: string, type: string, x: number, parameters: Record<string, unknown> = {}) => ({
  id: `id-${name}`,
  name,
  type,
  typeVersion: 1,
  position: [x, 0] as [number, number],
  parameters,
});
const hook = (path: string) => ({ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { path }), webhookId: path });
const definition = (name: string, path = 'orders'): WorkflowDefinition => ({
  name,
  nodes: [hook(path), node('Set', 'n8n-nodes-base.set', 200)],
  connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
  settings: {},
});
// A 1.x workflow that kept its old Start node beside a Webhook trigger.
const legacy: WorkflowDefinition = {
  name: 'Legacy',
  nodes: [node('Start', 'n8n-nodes-base.start', 0), hook('legacy'), node('Set', 'n8n-nodes-base.set', 200)],
  connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
  settings: {},
};

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function setup() {
  const t = testContext();
  cleanups.push(t.cleanup);
  const n8n = new FakeN8n(() => t.clock.now())
    .addInstance('two', { version: '2.41.1', communityNodeTypes: [] })
    .addInstance('one', { version: '1.123.81' });
  cleanups.push(() => void n8n.close());
  const drafts = createDraftsModule(t.ctx, t.audit, n8n);
  const call = <C extends keyof typeof drafts.handlers>(
    channel: C,
    input: Parameters<(typeof drafts.handlers)[C]>[0],
  ) => drafts.handlers[channel](input as never, { transport: 'direct' }) as ReturnType<(typeof drafts.handlers)[C]>;
  return { ...t, n8n, drafts, call, snapshots: createSnapshots(t.ctx, t.audit, n8n) };
}

async function conflictOf(promise: Promise<unknown>): Promise<PushConflict> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('CONFLICT');
  return (error as AppError).details as PushConflict;
}

describe('draft conflicts on n8n 2.x', () => {
  it('a rename in n8n keeps the versionId but still refuses the push (updatedAt moved)', async () => {
    const { n8n, drafts, clock } = setup();
    const remote = n8n.seed('two', definition('Orders'));
    const draft = await drafts.service.clone('two', remote.id);
    clock.advance(1_000);
    const renamed = n8n.editRemotely('two', remote.id, (w) => ({ ...w, name: 'Orders (renamed in n8n)' }));
    expect(renamed.versionId).toBe(remote.versionId); // what 2.41.1 does

    await drafts.service.update(draft.id, { ...draft.workflow, name: 'Mine' });
    const conflict = await conflictOf(drafts.pusher.push(draft.id, false));
    expect(conflict.reasons).toEqual(['updatedAt']);
    expect(conflict.diff?.nameChanged).toBe(true);
    expect((await n8n.getWorkflow('two', remote.id)).name).toBe('Orders (renamed in n8n)');
  });

  it('pushes twice in a row without a false conflict: the base follows each push', async () => {
    const { n8n, drafts, clock } = setup();
    const remote = n8n.seed('two', definition('Orders'));
    const draft = await drafts.service.clone('two', remote.id);
    await drafts.service.update(draft.id, { ...draft.workflow, name: 'Orders 2' });
    expect((await drafts.pusher.push(draft.id, false)).push.status).toBe('done');
    clock.advance(1_000);
    await drafts.service.update(draft.id, { ...draft.workflow, name: 'Orders 3' });
    expect((await drafts.pusher.push(draft.id, false)).push.status).toBe('done');
    expect((await n8n.getWorkflow('two', remote.id)).name).toBe('Orders 3');
  });

  it('1.x: a new versionId on every save is a conflict too', async () => {
    const { n8n, drafts } = setup();
    const remote = n8n.seed('one', definition('Orders'));
    const draft = await drafts.service.clone('one', remote.id);
    n8n.editRemotely('one', remote.id, (w) => ({ ...w, name: 'Renamed' }));
    expect((await conflictOf(drafts.pusher.push(draft.id, false))).reasons).toEqual(['versionId', 'updatedAt']);
  });
});

describe('cloning the draft or the published version', () => {
  it('takes the saved draft by default, or what runs; says which; and a push over a newer draft conflicts', async () => {
    const { n8n, drafts, call } = setup();
    const remote = n8n.seed('two', definition('Orders', 'live-path'));
    n8n.publish('two', remote.id);
    n8n.editRemotely('two', remote.id, (w) => ({ ...w, nodes: [hook('draft-path'), w.nodes[1]!] })); // saved, not published

    const ofDraft = await call('drafts:clone', { instanceId: 'two', workflowId: remote.id, version: 'draft' });
    expect(ofDraft.baseKind).toBe('draft');
    expect(ofDraft.workflow.nodes[0]?.parameters.path).toBe('draft-path');

    const ofLive = await call('drafts:clone', { instanceId: 'two', workflowId: remote.id, version: 'published' });
    expect(ofLive.baseKind).toBe('published');
    expect(ofLive.workflow.nodes[0]?.parameters.path).toBe('live-path');
    expect(ofLive.baseVersionId).toBe(remote.versionId);
    // Pushing the published version back would overwrite the newer draft saved in n8n.
    expect((await conflictOf(drafts.pusher.push(ofLive.id, false))).reasons).toContain('versionId');
  });

  it('refuses to clone the published version of a workflow with nothing live', async () => {
    const { n8n, drafts } = setup();
    const remote = n8n.seed('two', definition('Idle'));
    await expect(drafts.service.clone('two', remote.id, 'published')).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/no published version/),
    });
  });
});

describe('migration pre-flight', () => {
  it('a draft with a Start node: an error against 2.x, nothing against 1.x; the push reports it too', async () => {
    const { call, drafts } = setup();
    const toTwo = await call('drafts:import', { document: legacy, instanceId: 'two' });
    const report = await call('drafts:preflight', { draftId: toTwo.id });
    expect(report).toMatchObject({ ok: false, targetVersion: '2.41.1', checked: 1 });
    expect(report.workflows[0]?.problems[0]).toMatchObject({ node: 'Start', severity: 'error' });

    const toOne = await call('drafts:import', { document: legacy, instanceId: 'one' });
    expect(await call('drafts:preflight', { draftId: toOne.id })).toMatchObject({ ok: true, workflows: [] });

    const pushed = await drafts.pusher.push(toTwo.id, false);
    expect(pushed.push.status).toBe('done'); // warned, not blocked: the operator saw the dry run
    expect(pushed.preflight?.ok).toBe(false);
  });

  it('a snapshot restored into 2.x: the dry run writes nothing, the restore warns per workflow and picks the version', async () => {
    const { n8n, call, snapshots } = setup();
    n8n.seed('one', legacy);
    const live = n8n.seed('one', definition('Orders', 'live-path'));
    n8n.publish('one', live.id);
    // A 2.x-style draft that differs from the published version, as a snapshot of a 2.x instance holds it.
    Object.assign(
      n8n.instances.get('one')!.state.workflows.find((w) => w.id === live.id)!,
      {
        versionId: 'a-newer-draft',
        nodes: [hook('draft-path'), node('Set', 'n8n-nodes-base.set', 200)],
      },
    );
    const snapshot = await snapshots.take('one', 'before 2.x');

    const dry = await call('drafts:preflight', { snapshotId: snapshot.id, targetInstanceId: 'two', version: 'draft' });
    expect(dry).toMatchObject({ ok: false, checked: 2, targetVersion: '2.41.1' });
    expect(dry.workflows.map((w) => w.name)).toEqual(['Legacy']);
    expect(await n8n.listWorkflows('two')).toEqual([]); // a dry run

    const restored = await snapshots.restoreInto(snapshot.id, 'two', 'published');
    expect(restored.created).toBe(2);
    expect(restored.warnings.some((w) => /^"Legacy": cannot run Start/.test(w))).toBe(true);
    expect(restored.warnings.some((w) => /the published versions were restored/.test(w))).toBe(true);
    const there = (await n8n.listWorkflows('two')).find((w) => w.name === 'Orders');
    expect(there?.nodes[0]?.parameters.path).toBe('live-path');

    await expect(
      call('drafts:preflight', { snapshotId: 999, targetInstanceId: 'two', version: 'draft' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      call('drafts:preflight', { snapshotId: snapshot.id, targetInstanceId: 'nope', version: 'draft' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
