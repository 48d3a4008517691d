import { afterEach, describe, expect, it } from 'vitest';
import type { PushConflict, WorkflowDefinition, WorkflowNode } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import { FakeN8n } from '../testing/fake-n8n-port';
import { testContext } from '../testing/test-core';
import { createDraftsModule } from './drafts-module';

// The merge and history flows through the drafts handlers, against the loopback fake n8n (1.x
// and 2.x version semantics): update from n8n, a push against a moved remote, resolutions, the
// local history, compare and rollback.
const node = (name: string, type: string, x: number, parameters: Record<string, unknown> = {}): WorkflowNode => ({
  id: `id-${name}`,
  name,
  type,
  typeVersion: 1,
  position: [x, 0],
  parameters,
});
const definition = (name = 'Orders'): WorkflowDefinition => ({
  name,
  nodes: [
    node('Webhook', 'n8n-nodes-base.webhook', 0, { path: 'orders' }),
    node('Set', 'n8n-nodes-base.set', 200, { fields: { a: 1 } }),
  ],
  connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
  settings: {},
});
const setParams = (wf: WorkflowDefinition, parameters: Record<string, unknown>): WorkflowDefinition => ({
  ...wf,
  nodes: wf.nodes.map((n) => (n.name === 'Set' ? { ...n, parameters } : n)),
});
const setOf = (wf: { nodes: WorkflowNode[] }) => wf.nodes.find((n) => n.id === 'id-Set')?.parameters;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function setup() {
  const t = testContext();
  cleanups.push(t.cleanup);
  const n8n = new FakeN8n(() => t.clock.now())
    .addInstance('one', { version: '1.123.81' })
    .addInstance('two', { version: '2.41.1', communityNodeTypes: [] });
  cleanups.push(() => void n8n.close());
  const drafts = createDraftsModule(t.ctx, t.audit, n8n);
  const call = <C extends keyof typeof drafts.handlers>(
    channel: C,
    input: Parameters<(typeof drafts.handlers)[C]>[0],
  ) =>
    Promise.resolve().then(() => drafts.handlers[channel](input as never, { transport: 'direct' })) as Promise<
      Awaited<ReturnType<(typeof drafts.handlers)[C]>>
    >;
  return { ...t, n8n, call };
}

async function failure(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

describe.each(['one', 'two'])('merging a draft with n8n (%s)', (instanceId) => {
  it('update from n8n merges non-overlapping changes by themselves, then the push goes through', async () => {
    const { n8n, call, clock } = setup();
    const remote = n8n.seed(instanceId, definition());
    const draft = await call('drafts:clone', { instanceId, workflowId: remote.id, version: 'draft' });
    await call('drafts:update', {
      id: draft.id,
      workflow: setParams(draft.workflow, { fields: { a: 1, priority: 'high' } }),
    });
    clock.advance(1_000);
    n8n.editRemotely(instanceId, remote.id, (w) => ({
      ...w,
      ...setParams(w as WorkflowDefinition, { fields: { a: 1, channel: 'email' } }),
    }));

    const report = await call('drafts:merge', { id: draft.id });
    expect(report).toMatchObject({ upToDate: false, applied: true, conflicts: [], baseKnown: true, issues: [] });
    expect(report.changes).toEqual(
      expect.arrayContaining([
        { node: 'Set', what: 'parameters.fields.priority', from: 'mine' },
        { node: 'Set', what: 'parameters.fields.channel', from: 'theirs' },
      ]),
    );
    const merged = await call('drafts:get', { id: draft.id });
    expect(setOf(merged.workflow)).toEqual({ fields: { a: 1, priority: 'high', channel: 'email' } });
    // Nothing moved since: up to date.
    expect(await call('drafts:merge', { id: draft.id })).toMatchObject({ upToDate: true, applied: false });

    expect((await call('drafts:push', { id: draft.id, override: false })).push.status).toBe('done');
    expect(setOf(await n8n.getWorkflow(instanceId, remote.id))).toEqual({
      fields: { a: 1, priority: 'high', channel: 'email' },
    });
  });

  it('a push against a moved remote merges cleanly and waits for the next push', async () => {
    const { n8n, call, clock } = setup();
    const remote = n8n.seed(instanceId, definition());
    const draft = await call('drafts:clone', { instanceId, workflowId: remote.id, version: 'draft' });
    await call('drafts:update', { id: draft.id, workflow: setParams(draft.workflow, { fields: { a: 2 } }) });
    clock.advance(1_000);
    n8n.editRemotely(instanceId, remote.id, (w) => ({ ...w, name: 'Orders (renamed in n8n)' }));

    const error = await failure(call('drafts:push', { id: draft.id, override: false }), 'CONFLICT');
    expect(error.message).toMatch(/merged by themselves/);
    const details = error.details as PushConflict;
    expect(details.merge).toMatchObject({ applied: true, conflicts: [] });
    expect(n8n.sent).toHaveLength(0);
    const after = await call('drafts:get', { id: draft.id });
    expect(after.workflow.name).toBe('Orders (renamed in n8n)');
    expect(setOf(after.workflow)).toEqual({ fields: { a: 2 } });

    expect((await call('drafts:push', { id: draft.id, override: false })).push.status).toBe('done');
    const now = await n8n.getWorkflow(instanceId, remote.id);
    expect([now.name, setOf(now)]).toEqual(['Orders (renamed in n8n)', { fields: { a: 2 } }]);
  });

  it('overlapping changes come back as conflicts with values; resolutions are checked, then applied', async () => {
    const { n8n, call, clock } = setup();
    const remote = n8n.seed(instanceId, definition());
    const draft = await call('drafts:clone', { instanceId, workflowId: remote.id, version: 'draft' });
    const mine = setParams(draft.workflow, { fields: { a: 2, keep: 'me' } });
    await call('drafts:update', { id: draft.id, workflow: { ...mine, name: 'Mine' } });
    clock.advance(1_000);
    n8n.editRemotely(instanceId, remote.id, (w) => ({
      ...w,
      ...setParams(w as WorkflowDefinition, { fields: { a: 3 } }),
      name: 'Theirs',
    }));

    const error = await failure(call('drafts:push', { id: draft.id, override: false }), 'CONFLICT');
    const report = (error.details as PushConflict).merge;
    expect(report?.applied).toBe(false);
    expect(report?.conflicts.map((c) => [c.node, c.what, c.base.value, c.mine.value, c.theirs.value])).toEqual([
      [null, 'workflow name', 'Orders', 'Mine', 'Theirs'],
      ['Set', 'parameters.fields.a', 1, 2, 3],
    ]);
    const [name, field] = report?.conflicts ?? [];
    const seen = {
      remoteVersionId: report?.remoteVersionId ?? null,
      remoteUpdatedAtMs: report?.remoteUpdatedAtMs ?? 0,
    };
    const unchanged = JSON.stringify((await call('drafts:get', { id: draft.id })).workflow);

    // One left open: refused, nothing written.
    await failure(
      call('drafts:mergeApply', { id: draft.id, ...seen, resolutions: [{ conflictId: name!.id, choice: 'theirs' }] }),
      'VALIDATION',
    );
    // An edited value n8n cannot take (the whole Set node replaced by a string): refused.
    const setNode = await failure(
      call('drafts:mergeApply', {
        id: draft.id,
        ...seen,
        resolutions: [
          { conflictId: name!.id, choice: 'theirs' },
          { conflictId: field!.id, choice: 'edit', value: 23 },
          { conflictId: '["nodes","id:id-Set"]', choice: 'edit', value: 'not a node' },
        ],
      }),
      'VALIDATION',
    );
    expect(setNode.message).toMatch(/No conflict/);
    expect(JSON.stringify((await call('drafts:get', { id: draft.id })).workflow)).toBe(unchanged);

    // n8n moved again meanwhile: refused, merge again.
    clock.advance(1_000);
    n8n.editRemotely(instanceId, remote.id, (w) => ({ ...w, settings: { timezone: 'UTC' } }));
    await failure(
      call('drafts:mergeApply', {
        id: draft.id,
        ...seen,
        resolutions: [
          { conflictId: name!.id, choice: 'theirs' },
          { conflictId: field!.id, choice: 'edit', value: 23 },
        ],
      }),
      'CONFLICT',
    );
    const again = await call('drafts:merge', { id: draft.id });
    expect(again.conflicts).toHaveLength(2);
    const applied = await call('drafts:mergeApply', {
      id: draft.id,
      remoteVersionId: again.remoteVersionId,
      remoteUpdatedAtMs: again.remoteUpdatedAtMs,
      resolutions: [
        { conflictId: name!.id, choice: 'theirs' },
        { conflictId: field!.id, choice: 'edit', value: 23 },
      ],
    });
    expect(applied.workflow.name).toBe('Theirs');
    expect(applied.workflow.settings).toEqual({ timezone: 'UTC' });
    expect(setOf(applied.workflow)).toEqual({ fields: { a: 23, keep: 'me' } });
    expect((await call('drafts:push', { id: draft.id, override: false })).push.status).toBe('done');
    expect(setOf(await n8n.getWorkflow(instanceId, remote.id))).toEqual({ fields: { a: 23, keep: 'me' } });
  });
});

describe('merge edges', () => {
  it('a draft from before bases were kept: every difference is a conflict', async () => {
    const { n8n, call, clock, ctx } = setup();
    const remote = n8n.seed('one', definition());
    const draft = await call('drafts:clone', { instanceId: 'one', workflowId: remote.id, version: 'draft' });
    ctx.store.db.prepare('UPDATE drafts SET base_workflow_json = NULL WHERE id = ?').run(draft.id);
    await call('drafts:update', {
      id: draft.id,
      workflow: setParams(draft.workflow, { fields: { a: 1, mine: true } }),
    });
    clock.advance(1_000);
    n8n.editRemotely('one', remote.id, (w) => ({ ...w, name: 'Theirs' }));
    const report = await call('drafts:merge', { id: draft.id });
    expect(report.baseKnown).toBe(false);
    expect(report.conflicts.map((c) => c.what).sort()).toEqual(['parameters.fields.mine', 'workflow name']);
  });

  it('refuses to merge a draft never pushed, and one whose workflow was deleted in n8n', async () => {
    const { n8n, call } = setup();
    const blank = await call('drafts:create', { name: 'New', instanceId: 'one' });
    await failure(call('drafts:merge', { id: blank.id }), 'VALIDATION');
    const remote = n8n.seed('one', definition());
    const draft = await call('drafts:clone', { instanceId: 'one', workflowId: remote.id, version: 'draft' });
    n8n.deleteRemotely('one', remote.id);
    await failure(call('drafts:merge', { id: draft.id }), 'CONFLICT');
    await failure(call('drafts:merge', { id: 'nope' }), 'NOT_FOUND');
  });
});

describe('local history', () => {
  it('keeps clone, push, merge and restore with who, why and which instance; compares; rolls back', async () => {
    const { n8n, call, clock } = setup();
    const remote = n8n.seed('two', definition());
    const draft = await call('drafts:clone', { instanceId: 'two', workflowId: remote.id, version: 'draft' });
    await call('drafts:update', { id: draft.id, workflow: setParams(draft.workflow, { fields: { a: 2 } }) });
    clock.advance(1_000);
    await call('drafts:push', { id: draft.id, override: false });
    clock.advance(1_000);
    n8n.editRemotely('two', remote.id, (w) => ({ ...w, name: 'Renamed in n8n' }));
    await call('drafts:merge', { id: draft.id });

    const history = await call('drafts:history', { draftId: draft.id });
    expect(history.map((v) => [v.reason, v.actor, v.instanceId, v.name])).toEqual([
      ['merge', 'tester', 'two', 'Renamed in n8n'],
      ['push', 'tester', 'two', 'Orders'],
      ['clone', 'tester', 'two', 'Orders'],
    ]);
    const [, pushed, cloned] = history;
    const compared = await call('drafts:historyCompare', { draftId: draft.id, from: cloned!.id, to: 'current' });
    expect(compared.diff).toMatchObject({ nameChanged: true, identical: false });
    expect(compared.diff.changedNodes).toEqual([
      { name: 'Set', previousName: null, fields: ['parameters'], parameterPaths: ['fields.a'] },
    ]);
    expect(
      (await call('drafts:historyCompare', { draftId: draft.id, from: pushed!.id, to: pushed!.id })).diff.identical,
    ).toBe(true);

    // Roll back to the clone: restore, then push through the usual checks.
    const restored = await call('drafts:restore', { draftId: draft.id, versionId: cloned!.id });
    expect(setOf(restored.workflow)).toEqual({ fields: { a: 1 } });
    expect((await call('drafts:push', { id: draft.id, override: false })).push.status).toBe('done');
    const now = await n8n.getWorkflow('two', remote.id);
    expect([now.name, setOf(now)]).toEqual(['Orders', { fields: { a: 1 } }]);
    expect((await call('drafts:history', { draftId: draft.id })).slice(0, 2).map((v) => v.reason)).toEqual([
      'push',
      'restore',
    ]);
  });

  it('a rollback when n8n moved meanwhile goes through the merge like any push', async () => {
    const { n8n, call, clock } = setup();
    const remote = n8n.seed('one', definition());
    const draft = await call('drafts:clone', { instanceId: 'one', workflowId: remote.id, version: 'draft' });
    await call('drafts:update', { id: draft.id, workflow: setParams(draft.workflow, { fields: { a: 2 } }) });
    await call('drafts:push', { id: draft.id, override: false });
    const [, cloned] = await call('drafts:history', { draftId: draft.id });
    clock.advance(1_000);
    n8n.editRemotely('one', remote.id, (w) => ({ ...w, settings: { timezone: 'UTC' } }));
    await call('drafts:restore', { draftId: draft.id, versionId: cloned!.id });
    const error = await failure(call('drafts:push', { id: draft.id, override: false }), 'CONFLICT');
    expect((error.details as PushConflict).merge?.applied).toBe(true);
    await call('drafts:push', { id: draft.id, override: false });
    const now = await n8n.getWorkflow('one', remote.id);
    // Their settings change stays (n8n adds its own defaults on save); my parameters are rolled back.
    expect(now.settings).toMatchObject({ timezone: 'UTC' });
    expect(setOf(now)).toEqual({ fields: { a: 1 } });
  });

  it('refuses unknown drafts and versions; a deleted draft takes its history with it', async () => {
    const { n8n, call, ctx } = setup();
    const remote = n8n.seed('one', definition());
    const draft = await call('drafts:clone', { instanceId: 'one', workflowId: remote.id, version: 'draft' });
    await failure(call('drafts:history', { draftId: 'nope' }), 'NOT_FOUND');
    await failure(call('drafts:restore', { draftId: draft.id, versionId: 999 }), 'NOT_FOUND');
    await failure(call('drafts:historyCompare', { draftId: draft.id, from: 999, to: 'current' }), 'NOT_FOUND');
    const other = n8n.seed('one', definition('Other'));
    const second = await call('drafts:clone', { instanceId: 'one', workflowId: other.id, version: 'draft' });
    const [theirVersion] = await call('drafts:history', { draftId: second.id });
    // Another draft's version is not this draft's.
    await failure(call('drafts:restore', { draftId: draft.id, versionId: theirVersion!.id }), 'NOT_FOUND');
    await call('drafts:remove', { id: draft.id });
    expect(ctx.store.db.prepare('SELECT COUNT(*) AS n FROM draft_versions WHERE draft_id = ?').get(draft.id)).toEqual({
      n: 0,
    });
  });
});
