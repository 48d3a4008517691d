import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { tempDir } from '../../src/main/core/testing/test-core';
import type { PushConflict, WorkflowDefinition } from '../../src/shared/contract';
import { api, createWebhookWorkflow, N8N_MAJOR, sharedN8n, type N8nInstance } from './harness';
import { addInstance, data } from './support';

// Three-way merge against real n8n: the workflow is changed in n8n (through its API, as the editor
// saves it) and in a draft. Without overlap (an assignment added on each side) the push merges by
// itself and the next push carries both; with overlap (the Webhook's path on both sides) the
// operator's resolution is applied and pushed. The local history records every step.
let n8n: N8nInstance;
let core: Core;
let cleanupDir: () => void;
let instanceId = '';

beforeAll(async () => {
  n8n = await sharedN8n();
  const dir = tempDir();
  cleanupDir = dir.remove;
  core = createCore({ dataDir: dir.path, clock: systemClock });
  instanceId = await addInstance(core, n8n, 'live', { sync: true });
});
afterAll(async () => {
  await core?.close();
  cleanupDir?.();
  await n8n?.dispose();
});

interface Assignments {
  assignments: { id: string; name: string; value: string; type: string }[];
}
type Remote = WorkflowDefinition & { versionId: string };

const getRemote = (id: string) => api<Remote>(n8n, 'GET', `/workflows/${id}`);
/** Someone saves the workflow in n8n: the writable fields go back with one edit. */
async function editInN8n(id: string, edit: (wf: WorkflowDefinition) => void): Promise<Remote> {
  const now = await getRemote(id);
  const body: WorkflowDefinition = {
    name: now.name,
    nodes: now.nodes,
    connections: now.connections,
    settings: now.settings ?? {},
  };
  edit(body);
  return api<Remote>(n8n, 'PUT', `/workflows/${id}`, body);
}
const node = (wf: { nodes: WorkflowDefinition['nodes'] }, name: string) => wf.nodes.find((n) => n.name === name)!;
const assignmentNames = (wf: { nodes: WorkflowDefinition['nodes'] }) =>
  (node(wf, 'Set').parameters.assignments as Assignments).assignments.map((a) => a.name);

describe(`three-way merge against real n8n ${N8N_MAJOR}.x`, () => {
  let workflowId = '';
  let draftId = '';

  it('merges a change made in n8n with a non-overlapping one in the draft, and pushes both', async () => {
    workflowId = await createWebhookWorkflow(n8n, { path: 'fd-merge', name: 'Merge me' });
    const draft = await data(core.call('drafts:clone', { instanceId, workflowId }));
    draftId = draft.id;
    const mine = structuredClone(draft.workflow);
    (node(mine, 'Set').parameters.assignments as Assignments).assignments.push({
      id: 'fd-mine-priority',
      name: 'priority',
      value: 'high',
      type: 'string',
    });
    await data(core.call('drafts:update', { id: draftId, workflow: mine }));
    await editInN8n(workflowId, (wf) =>
      (node(wf, 'Set').parameters.assignments as Assignments).assignments.push({
        id: 'fd-their-channel',
        name: 'channel',
        value: 'email',
        type: 'string',
      }),
    );

    const refused = await core.call('drafts:push', { id: draftId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const merge = refused.ok ? null : (refused.error.details as PushConflict).merge;
    expect(merge).toMatchObject({ applied: true, conflicts: [], issues: [] });
    // Nothing reached n8n yet: the merged draft waits for the operator's next push.
    expect(assignmentNames(await getRemote(workflowId))).toEqual(['received', 'channel']);

    const pushed = await data(core.call('drafts:push', { id: draftId }));
    expect(pushed.push).toMatchObject({ status: 'done' });
    expect(assignmentNames(await getRemote(workflowId))).toEqual(['received', 'priority', 'channel']);
  });

  it('an overlapping change is resolved with an edited value and pushed', async () => {
    const draft = await data(core.call('drafts:get', { id: draftId }));
    const mine = structuredClone(draft.workflow);
    node(mine, 'Webhook').parameters.path = 'fd-merge-mine';
    await data(core.call('drafts:update', { id: draftId, workflow: mine }));
    await editInN8n(workflowId, (wf) => {
      node(wf, 'Webhook').parameters.path = 'fd-merge-theirs';
    });

    const report = await data(core.call('drafts:merge', { id: draftId }));
    expect(report.applied).toBe(false);
    expect(report.conflicts.map((c) => [c.node, c.what, c.base.value, c.mine.value, c.theirs.value])).toEqual([
      ['Webhook', 'parameters.path', 'fd-merge', 'fd-merge-mine', 'fd-merge-theirs'],
    ]);
    const applied = await data(
      core.call('drafts:mergeApply', {
        id: draftId,
        remoteVersionId: report.remoteVersionId,
        remoteUpdatedAtMs: report.remoteUpdatedAtMs,
        resolutions: [{ conflictId: report.conflicts[0]!.id, choice: 'edit', value: 'fd-merge-both' }],
      }),
    );
    expect(node(applied.workflow, 'Webhook').parameters.path).toBe('fd-merge-both');
    expect((await data(core.call('drafts:push', { id: draftId }))).push).toMatchObject({ status: 'done' });
    const now = await getRemote(workflowId);
    expect(node(now, 'Webhook').parameters.path).toBe('fd-merge-both');
    expect(assignmentNames(now)).toEqual(['received', 'priority', 'channel']);
  });

  it('keeps every step in the local history and rolls back through the same checks', async () => {
    const history = await data(core.call('drafts:history', { draftId }));
    expect(history.map((v) => v.reason)).toEqual(['push', 'merge', 'push', 'merge', 'clone']);
    expect(history.every((v) => v.instanceId === instanceId)).toBe(true);
    const clone = history.at(-1)!;
    await data(core.call('drafts:restore', { draftId, versionId: clone.id }));
    expect((await data(core.call('drafts:push', { id: draftId }))).push).toMatchObject({ status: 'done' });
    const now = await getRemote(workflowId);
    expect(node(now, 'Webhook').parameters.path).toBe('fd-merge');
    expect(assignmentNames(now)).toEqual(['received']);
  });
});
