import { afterEach, describe, expect, it } from 'vitest';
import type { PushConflict, WorkflowDefinition } from '../../../shared/contract/drafts';
import { diffWorkflows, renameNode, renameNodeAt, validateWorkflow } from '../../../shared/drafts/workflow-model';
import { AppError } from '../../../shared/result';
import { testContext, testCore } from '../testing/test-core';
import { createDraftPusher, pushBackoffMs } from './draft-push';
import { createDraftService } from './draft-service';
import { FakeN8n } from '../testing/fake-n8n-port';

const webhook = {
  id: 'n1',
  name: 'Webhook',
  type: 'n8n-nodes-base.webhook',
  typeVersion: 2,
  position: [0, 0] as [number, number],
  parameters: { path: 'orders', httpMethod: 'POST' },
  webhookId: 'orders',
};
const set = {
  id: 'n2',
  name: 'Set',
  type: 'n8n-nodes-base.set',
  typeVersion: 3.4,
  position: [200, 0] as [number, number],
  parameters: { options: { dotNotation: true }, values: [{ name: 'a' }] },
};
const workflow = (over: Partial<WorkflowDefinition> = {}): WorkflowDefinition => ({
  name: 'Orders',
  nodes: [webhook, set],
  connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
  settings: { executionOrder: 'v1' },
  ...over,
});

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function setup() {
  const t = testContext();
  cleanups.push(t.cleanup);
  const n8n = new FakeN8n(() => t.clock.now()).addInstance('dev');
  cleanups.push(() => void n8n.close());
  const drafts = createDraftService(t.ctx, t.audit, n8n);
  const pusher = createDraftPusher(t.ctx, drafts, n8n);
  return { ...t, n8n, drafts, pusher };
}

async function rejects(promise: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected ${code}`);
}

describe('workflow validation', () => {
  it('accepts a valid workflow', () => {
    expect(validateWorkflow(workflow())).toEqual([]);
  });

  it('names the node in every message', () => {
    const issues = validateWorkflow(
      workflow({
        nodes: [set, { ...set, id: 'n3' }],
        connections: { Set: { main: [[{ node: 'Ghost', type: 'main', index: 0 }]] }, Phantom: { main: [[]] } },
      }),
    );
    const messages = issues.map((i) => i.message);
    expect(messages).toContain('Two nodes are named "Set": node names must be unique.');
    expect(messages).toContain('"Set" connects to "Ghost", which is not a node of this workflow.');
    expect(messages.some((m) => m.includes('no trigger node'))).toBe(true);
    expect(issues.find((i) => i.message.includes('Ghost'))?.node).toBe('Set');
  });

  it('counts *Trigger types and the webhook as triggers', () => {
    const only = (type: string) => validateWorkflow(workflow({ nodes: [{ ...set, type }], connections: {} }));
    expect(only('n8n-nodes-base.scheduleTrigger')).toEqual([]);
    expect(only('n8n-nodes-base.manualTrigger')).toEqual([]);
    expect(only('n8n-nodes-base.webhook')).toEqual([]);
    expect(only('n8n-nodes-base.set')).toHaveLength(1);
  });

  it('renames one node of two sharing a name without touching the other or the links', () => {
    const twins = renameNodeAt(workflow(), 1, 'Webhook');
    expect(twins.nodes.map((n) => n.name)).toEqual(['Webhook', 'Webhook']);
    const fixed = renameNodeAt(twins, 1, 'Shape');
    expect(fixed.nodes.map((n) => n.name)).toEqual(['Webhook', 'Shape']);
    expect(fixed.connections.Webhook?.main?.[0]?.[0]?.node).toBe('Webhook');
    expect(renameNodeAt(workflow(), 1, 'Shape').connections.Webhook?.main?.[0]?.[0]?.node).toBe('Shape');
  });

  it('renames a node together with its connections', () => {
    const renamed = renameNode(workflow(), 'Set', 'Shape');
    expect(renamed.connections.Webhook?.main?.[0]?.[0]?.node).toBe('Shape');
    expect(validateWorkflow(renamed)).toEqual([]);
  });
});

describe('diff', () => {
  it('lists added, removed and changed nodes with parameter paths, and connection changes', () => {
    const theirs = workflow();
    const mine = workflow({
      nodes: [
        webhook,
        { ...set, position: [300, 0], parameters: { options: { dotNotation: false }, values: [{ name: 'b' }] } },
        { id: 'n9', name: 'If', type: 'n8n-nodes-base.if', typeVersion: 2, position: [400, 0], parameters: {} },
      ],
      connections: { Webhook: { main: [[{ node: 'If', type: 'main', index: 0 }]] } },
    });
    const diff = diffWorkflows(mine, theirs);
    expect(diff.addedNodes).toEqual(['If']);
    expect(diff.removedNodes).toEqual([]);
    expect(diff.changedNodes).toEqual([
      {
        name: 'Set',
        previousName: null,
        fields: ['position', 'parameters'],
        parameterPaths: ['options.dotNotation', 'values.0.name'],
      },
    ]);
    expect(diff.addedConnections).toEqual(['Webhook[main 0] → If[0]']);
    expect(diff.removedConnections).toEqual(['Webhook[main 0] → Set[0]']);
    expect(diff.identical).toBe(false);
    expect(diffWorkflows(theirs, structuredClone(theirs)).identical).toBe(true);
  });

  it('follows a renamed node by its id', () => {
    const diff = diffWorkflows(renameNode(workflow(), 'Set', 'Shape'), workflow());
    expect(diff.changedNodes[0]).toMatchObject({ name: 'Shape', previousName: 'Set', fields: ['name'] });
    expect(diff.addedNodes).toEqual([]);
  });
});

describe('drafts', () => {
  it('imports an n8n export, dropping read-only fields, and rejects a bad file without writing', async () => {
    const { drafts, pusher, n8n } = setup();
    const file = {
      ...workflow(),
      id: 'x',
      active: true,
      versionId: 'v',
      tags: [{ id: '1', name: 't' }],
      pinData: {},
      meta: { a: 1 },
    };
    const draft = await drafts.importDocument(file, 'dev');
    expect(draft.origin).toBe('import');
    expect(draft.workflow).toEqual(workflow());
    expect(draft.issues).toEqual([]);

    await rejects(drafts.importDocument({ name: 'x', nodes: 'nope' }, 'dev'), 'VALIDATION');
    await rejects(drafts.importDocument(workflow(), 'nowhere'), 'VALIDATION');
    expect(drafts.list()).toHaveLength(1);

    await pusher.push(draft.id, false);
    expect(n8n.sent[0]?.body && Object.keys(n8n.sent[0].body).sort()).toEqual([
      'connections',
      'name',
      'nodes',
      'settings',
    ]);
  });

  it('clones a remote workflow, remembering the version it was taken from', async () => {
    const { drafts, n8n, clock } = setup();
    clock.advance(1_000);
    const remote = n8n.seed('dev', workflow());
    const draft = await drafts.clone('dev', remote.id);
    expect(draft).toMatchObject({
      origin: 'clone',
      remoteWorkflowId: remote.id,
      baseVersionId: remote.versionId,
      baseUpdatedAtMs: clock.now(),
    });
    expect(draft.workflow).toEqual(workflow());
    expect((await drafts.diff(draft.id)).diff.identical).toBe(true);
  });

  it('pushes an update when n8n has not moved on, and the draft takes the new version as its base', async () => {
    const { drafts, pusher, n8n } = setup();
    const remote = n8n.seed('dev', workflow());
    const draft = await drafts.clone('dev', remote.id);
    await drafts.update(draft.id, workflow({ name: 'Orders v2' }));
    const { push, draft: after } = await pusher.push(draft.id, false);
    expect(push.status).toBe('done');
    const now = await n8n.getWorkflow('dev', remote.id);
    expect(now.name).toBe('Orders v2');
    expect(after.baseVersionId).toBe(now.versionId);
    expect(after.baseVersionId).not.toBe(remote.versionId);
  });

  it('refuses to overwrite a changed remote, returns both sides, and lets the operator choose', async () => {
    const { drafts, pusher, n8n, audit } = setup();
    const remote = n8n.seed('dev', workflow());
    const draft = await drafts.clone('dev', remote.id);
    await drafts.update(draft.id, workflow({ name: 'Mine' }));
    n8n.editRemotely('dev', remote.id, (w) => ({ ...w, name: 'Theirs' }));

    const error = await rejects(pusher.push(draft.id, false), 'CONFLICT');
    const details = error.details as PushConflict;
    expect(details.mine.name).toBe('Mine');
    expect(details.theirs?.name).toBe('Theirs');
    expect(details.diff?.nameChanged).toBe(true);
    expect(n8n.sent).toHaveLength(0);
    expect((await n8n.getWorkflow('dev', remote.id)).name).toBe('Theirs');
    expect(drafts.get(draft.id).lastPush?.status).toBe('conflict');

    // Keep mine: an explicit override.
    const kept = await pusher.push(draft.id, true);
    expect(kept.push.status).toBe('done');
    expect((await n8n.getWorkflow('dev', remote.id)).name).toBe('Mine');
    expect(audit.list({ limit: 10, action: 'draft.push' }).entries[0]?.details).toMatchObject({ override: true });

    // Take theirs: the draft becomes n8n's current version.
    n8n.editRemotely('dev', remote.id, (w) => ({ ...w, name: 'Theirs again' }));
    const rebased = await drafts.rebase(draft.id);
    expect(rebased.workflow.name).toBe('Theirs again');
    expect((await pusher.push(draft.id, false)).push.status).toBe('done');
  });

  it('treats a workflow deleted in n8n as a conflict; keeping mine creates it again', async () => {
    const { drafts, pusher, n8n } = setup();
    const remote = n8n.seed('dev', workflow());
    const draft = await drafts.clone('dev', remote.id);
    n8n.deleteRemotely('dev', remote.id);
    const error = await rejects(pusher.push(draft.id, false), 'CONFLICT');
    expect((error.details as PushConflict).theirs).toBeNull();
    const { draft: after } = await pusher.push(draft.id, true);
    expect(after.remoteWorkflowId).not.toBe(remote.id);
  });

  it('refuses to push an invalid draft, naming the problem', async () => {
    const { drafts, pusher } = setup();
    const draft = await drafts.create('Empty', 'dev');
    await drafts.update(draft.id, workflow({ nodes: [set], connections: {} }));
    const error = await rejects(pusher.push(draft.id, false), 'VALIDATION');
    expect(error.message).toContain('no trigger node');
  });

  it('queues a push made while the instance is unreachable and replays it with backoff when it is back', async () => {
    const { drafts, pusher, n8n, clock } = setup();
    const draft = await drafts.create('Offline', 'dev');
    n8n.setReachable('dev', false);

    const { push } = await pusher.push(draft.id, false);
    expect(push).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAtMs: clock.now() + pushBackoffMs(0) });

    // Not due yet: nothing is tried.
    expect(await pusher.replayDue()).toBe(0);
    clock.advance(pushBackoffMs(0));
    expect(await pusher.replayDue()).toBe(1);
    expect(pusher.list(draft.id)[0]).toMatchObject({
      status: 'queued',
      attempts: 2,
      nextAttemptAtMs: clock.now() + pushBackoffMs(1),
    });

    n8n.setReachable('dev', true);
    clock.advance(pushBackoffMs(1));
    expect(await pusher.replayDue()).toBe(1);
    const after = drafts.get(draft.id);
    expect(after.lastPush).toMatchObject({ status: 'done', attempts: 3 });
    expect(after.remoteWorkflowId).not.toBeNull();
    expect((await n8n.listWorkflows('dev')).map((w) => w.name)).toEqual(['Offline']);
  });

  it('a push to an instance that no longer exists is refused at once and records nothing', async () => {
    const { drafts, pusher, n8n } = setup();
    const draft = await drafts.create('Orphan', 'dev');
    n8n.instances.delete('dev');
    const error = await rejects(pusher.push(draft.id, false), 'VALIDATION');
    expect(error.message).toContain('Unknown instance dev');
    expect(drafts.get(draft.id).lastPush).toBeNull();
    expect(pusher.list(draft.id)).toEqual([]);
  });

  it('a queued push whose instance was removed meanwhile fails on replay instead of waiting forever', async () => {
    const { drafts, pusher, n8n, clock } = setup();
    const draft = await drafts.create('Orphan later', 'dev');
    n8n.setReachable('dev', false);
    await pusher.push(draft.id, false);
    n8n.instances.delete('dev');
    clock.advance(pushBackoffMs(0));
    expect(await pusher.replayDue()).toBe(1);
    expect(drafts.get(draft.id).lastPush).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('Unknown instance dev'),
    });
  });

  it('a queued push still detects a conflict on replay instead of overwriting', async () => {
    const { drafts, pusher, n8n, clock } = setup();
    const remote = n8n.seed('dev', workflow());
    const draft = await drafts.clone('dev', remote.id);
    n8n.setReachable('dev', false);
    await pusher.push(draft.id, false);
    n8n.setReachable('dev', true);
    n8n.editRemotely('dev', remote.id, (w) => ({ ...w, name: 'Changed meanwhile' }));
    clock.advance(pushBackoffMs(0));
    await pusher.replayDue();
    expect(drafts.get(draft.id).lastPush?.status).toBe('conflict');
    expect((await n8n.getWorkflow('dev', remote.id)).name).toBe('Changed meanwhile');
  });
});

describe('drafts contract boundary', () => {
  it('rejects a malformed workflow and an unknown draft', async () => {
    const t = testCore();
    try {
      const bad = await t.core.call('drafts:update', {
        id: 'x',
        workflow: { name: '', nodes: [{}], connections: {} } as never,
      });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.code).toBe('VALIDATION');
      const missing = await t.core.call('drafts:get', { id: 'nope' });
      expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
      const created = await t.core.call('drafts:create', { name: 'A', instanceId: null });
      expect(created.ok).toBe(true);
      const noInstance = created.ok ? await t.core.call('drafts:push', { id: created.data.id }) : null;
      expect(noInstance?.ok === false && noInstance.error.code).toBe('VALIDATION');
    } finally {
      await t.cleanup();
    }
  });
});
