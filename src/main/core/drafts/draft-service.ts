import { randomUUID } from 'node:crypto';
import {
  draftPushSchema,
  exportedWorkflowSchema,
  workflowDefinitionSchema,
  type Draft,
  type DraftPush,
  type WorkflowDefinition,
  type WorkflowVersionKind,
} from '../../../shared/contract/drafts';
import { diffWorkflows, validateWorkflow } from '../../../shared/drafts/workflow-model';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import { describeIssues } from '../invoke';
import { createDraftHistory, type VersionInput } from './history';
import {
  checked,
  definitionOf,
  remoteWorkflowSchema,
  versionIdOf,
  type N8nWorkflowsPort,
  type RemoteWorkflow,
} from './n8n-port';

interface DraftRow {
  id: string;
  name: string;
  origin: Draft['origin'];
  instance_id: string | null;
  remote_workflow_id: string | null;
  base_version_id: string | null;
  base_updated_at_ms: number | null;
  base_kind: WorkflowVersionKind;
  workflow_json: string;
  /** The remote workflow the draft was taken from (0021); null before 0021 or without a remote. */
  base_workflow_json: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface PushRow {
  id: number;
  draft_id: string;
  instance_id: string;
  override: number;
  status: DraftPush['status'];
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  remote_workflow_id: string | null;
  /** Who asked for the push (a replay later is still theirs in the audit log). */
  requested_by?: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export const toPush = (r: PushRow): DraftPush =>
  draftPushSchema.parse({
    id: r.id,
    draftId: r.draft_id,
    instanceId: r.instance_id,
    override: r.override === 1,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAtMs: r.next_attempt_at_ms,
    lastError: r.last_error,
    remoteWorkflowId: r.remote_workflow_id,
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
  });

/** Drafts: stored, validated, diffed. Pushing lives in draft-push.ts. */
export function createDraftService(ctx: CoreContext, audit: AuditLog, port: N8nWorkflowsPort) {
  const { db } = ctx.store;
  const selectOne = db.prepare('SELECT * FROM drafts WHERE id = ?');
  const selectAll = db.prepare('SELECT * FROM drafts ORDER BY updated_at_ms DESC, id');
  const lastPush = db.prepare('SELECT * FROM draft_pushes WHERE draft_id = ? ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(`INSERT INTO drafts (id, name, origin, instance_id, remote_workflow_id, base_version_id,
    base_updated_at_ms, base_kind, workflow_json, base_workflow_json, created_at_ms, updated_at_ms)
    VALUES (@id, @name, @origin, @instance_id, @remote_workflow_id, @base_version_id, @base_updated_at_ms,
    @base_kind, @workflow_json, @base_workflow_json, @now, @now)`);
  const setBase = db.prepare('UPDATE drafts SET base_workflow_json = ? WHERE id = ?');
  const history = createDraftHistory(db);
  const updateRow = db.prepare(`UPDATE drafts SET name = @name, instance_id = @instance_id,
    remote_workflow_id = @remote_workflow_id, base_version_id = @base_version_id,
    base_updated_at_ms = @base_updated_at_ms, base_kind = @base_kind, workflow_json = @workflow_json,
    updated_at_ms = @now WHERE id = @id`);

  function toDraft(row: DraftRow): Draft {
    const parsed = workflowDefinitionSchema.safeParse(JSON.parse(row.workflow_json));
    if (!parsed.success)
      throw new AppError('INTERNAL', `Draft ${row.id} is stored in a shape this version cannot read.`);
    const push = lastPush.get(row.id) as PushRow | undefined;
    return {
      id: row.id,
      origin: row.origin,
      instanceId: row.instance_id,
      remoteWorkflowId: row.remote_workflow_id,
      baseVersionId: row.base_version_id,
      baseUpdatedAtMs: row.base_updated_at_ms,
      baseKind: row.base_kind,
      workflow: parsed.data,
      issues: validateWorkflow(parsed.data),
      lastPush: push ? toPush(push) : null,
      createdAtMs: row.created_at_ms,
      updatedAtMs: row.updated_at_ms,
    };
  }

  function get(id: string): Draft {
    const row = selectOne.get(id) as DraftRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No draft with id ${id}; it may have been removed.`);
    return toDraft(row);
  }

  async function checkInstance(instanceId: string | null): Promise<void> {
    if (instanceId === null) return;
    const known = await port.listInstances();
    if (!known.some((i) => i.id === instanceId)) {
      throw new AppError('VALIDATION', `Unknown instance ${instanceId}: add it under Instances first.`);
    }
  }

  interface NewDraft {
    origin: Draft['origin'];
    instanceId: string | null;
    remote: RemoteWorkflow | null;
    /** Which of the remote's versions `workflow` is. */
    kind: WorkflowVersionKind;
    workflow: WorkflowDefinition;
  }

  function insertDraft(d: NewDraft, details: Record<string, unknown>): Draft {
    const id = randomUUID();
    ctx.store.write((announce) => {
      insert.run({
        id,
        name: d.workflow.name,
        origin: d.origin,
        instance_id: d.instanceId,
        remote_workflow_id: d.remote?.id ?? null,
        base_version_id: d.remote ? versionIdOf(d.remote, d.kind) : null,
        base_updated_at_ms: d.remote?.updatedAtMs ?? null,
        base_kind: d.kind,
        workflow_json: JSON.stringify(d.workflow),
        base_workflow_json: d.remote ? JSON.stringify(d.workflow) : null,
        now: ctx.clock.now(),
      });
      history.record(id, {
        reason: d.origin === 'blank' ? 'create' : d.origin,
        actor: ctx.operator(),
        instanceId: d.instanceId,
        remoteWorkflowId: d.remote?.id ?? null,
        remoteVersionId: d.remote ? versionIdOf(d.remote, d.kind) : null,
        note: d.origin === 'clone' && d.kind === 'published' ? 'from the published version' : null,
        workflow: d.workflow,
        atMs: ctx.clock.now(),
      });
      record(announce, `draft.${d.origin === 'blank' ? 'create' : d.origin}`, id, {
        name: d.workflow.name,
        ...details,
      });
    });
    return get(id);
  }

  function record(announce: Announce, action: string, id: string, details: Record<string, unknown>) {
    audit.record(announce, { actor: ctx.operator(), action, targetType: 'draft', targetId: id, details });
    announce('drafts:changed', { ids: [id] });
  }

  async function create(name: string, instanceId: string | null): Promise<Draft> {
    await checkInstance(instanceId);
    const workflow: WorkflowDefinition = {
      name,
      nodes: [
        {
          id: randomUUID(),
          name: 'Manual Trigger',
          type: 'n8n-nodes-base.manualTrigger',
          typeVersion: 1,
          position: [0, 0],
          parameters: {},
        },
      ],
      connections: {},
      settings: { executionOrder: 'v1' },
    };
    return insertDraft({ origin: 'blank', instanceId, remote: null, kind: 'draft', workflow }, {});
  }

  async function fetchRemote(instanceId: string, workflowId: string): Promise<RemoteWorkflow> {
    return checked(remoteWorkflowSchema, await port.getWorkflow(instanceId, workflowId), 'the n8n workflow');
  }

  /**
   * Copies a workflow from n8n: its saved draft, or the published version n8n runs (on 2.x they
   * differ while an edit is saved but not published). The draft remembers which, and the
   * versionId and updatedAt it came from: a push refuses if n8n's saved version moved since.
   */
  async function clone(instanceId: string, workflowId: string, kind: WorkflowVersionKind = 'draft'): Promise<Draft> {
    await checkInstance(instanceId);
    const remote = await fetchRemote(instanceId, workflowId);
    const workflow = definitionOf(remote, kind);
    if (!workflow)
      throw new AppError(
        'VALIDATION',
        `"${remote.name}" has no published version in n8n (it is not live): clone its saved draft instead.`,
      );
    return insertDraft(
      { origin: 'clone', instanceId, remote, kind, workflow },
      { instanceId, workflowId, versionId: versionIdOf(remote, kind), version: kind },
    );
  }

  async function importDocument(document: unknown, instanceId: string | null): Promise<Draft> {
    const single = Array.isArray(document) && document.length === 1 ? (document[0] as unknown) : document;
    const parsed = exportedWorkflowSchema.safeParse(single);
    if (!parsed.success) throw new AppError('VALIDATION', describeIssues('the workflow file', parsed.error));
    await checkInstance(instanceId);
    const { name, nodes, connections, settings } = parsed.data;
    const workflow = { name, nodes, connections, settings: settings ?? {} };
    return insertDraft(
      { origin: 'import', instanceId, remote: null, kind: 'draft', workflow },
      { nodes: nodes.length },
    );
  }

  async function update(id: string, workflow: WorkflowDefinition, instanceId?: string | null): Promise<Draft> {
    const current = get(id);
    const target = instanceId === undefined ? current.instanceId : instanceId;
    if (target !== current.instanceId && current.remoteWorkflowId) {
      throw new AppError(
        'VALIDATION',
        `Draft "${current.workflow.name}" belongs to workflow ${current.remoteWorkflowId} on instance ${current.instanceId}; clone it again to target another instance.`,
      );
    }
    await checkInstance(target);
    ctx.store.write((announce) => {
      saveRow(current, { workflow, instanceId: target });
      record(announce, 'draft.update', id, { nodes: workflow.nodes.length });
    });
    return get(id);
  }

  /** Writes the row (inside the caller's transaction), keeping what is not given. */
  function saveRow(
    current: Draft,
    patch: Partial<
      Pick<Draft, 'workflow' | 'instanceId' | 'remoteWorkflowId' | 'baseVersionId' | 'baseUpdatedAtMs' | 'baseKind'>
    >,
  ) {
    const next = { ...current, ...patch };
    updateRow.run({
      id: current.id,
      name: next.workflow.name,
      instance_id: next.instanceId,
      remote_workflow_id: next.remoteWorkflowId,
      base_version_id: next.baseVersionId,
      base_updated_at_ms: next.baseUpdatedAtMs,
      base_kind: next.baseKind,
      workflow_json: JSON.stringify(next.workflow),
      now: ctx.clock.now(),
    });
  }

  function remove(id: string): { removed: boolean } {
    const draft = get(id);
    ctx.store.write((announce) => {
      db.prepare('DELETE FROM draft_pushes WHERE draft_id = ?').run(id);
      db.prepare('DELETE FROM drafts WHERE id = ?').run(id);
      history.removeAll(id);
      record(announce, 'draft.remove', id, { name: draft.workflow.name });
    });
    return { removed: true };
  }

  /** The remote workflow the draft is tied to, or null for a draft never pushed. */
  async function remoteOf(draft: Draft): Promise<RemoteWorkflow | null> {
    if (!draft.instanceId || !draft.remoteWorkflowId) return null;
    return fetchRemote(draft.instanceId, draft.remoteWorkflowId);
  }

  async function diff(id: string) {
    const draft = get(id);
    const remote = await remoteOf(draft);
    const theirs = remote
      ? definitionOf(remote)
      : { name: draft.workflow.name, nodes: [], connections: {}, settings: {} };
    return { diff: diffWorkflows(draft.workflow, theirs), remoteVersionId: remote?.versionId ?? null };
  }

  /** "Take theirs": the draft becomes n8n's current version and its new base. */
  async function rebase(id: string): Promise<Draft> {
    const draft = get(id);
    const remote = await remoteOf(draft);
    if (!remote) throw new AppError('VALIDATION', `Draft "${draft.workflow.name}" has no n8n workflow to rebase on.`);
    ctx.store.write((announce) => {
      const theirs = definitionOf(remote);
      saveRow(draft, {
        workflow: theirs,
        baseVersionId: remote.versionId,
        baseUpdatedAtMs: remote.updatedAtMs,
        baseKind: 'draft',
      });
      saveBase(id, theirs);
      keepVersion(id, 'pull', remote, theirs, "took n8n's version (discarding the draft's changes)");
      record(announce, 'draft.rebase', id, { versionId: remote.versionId });
    });
    return get(id);
  }

  /** The remote workflow the draft was taken from; null when unknown (before 0021) or never tied. */
  function baseOf(id: string): WorkflowDefinition | null {
    const row = selectOne.get(id) as DraftRow | undefined;
    if (!row?.base_workflow_json) return null;
    const parsed = workflowDefinitionSchema.safeParse(JSON.parse(row.base_workflow_json));
    return parsed.success ? parsed.data : null;
  }

  /** Remembers the workflow n8n holds at the draft's new base (inside the caller's transaction). */
  function saveBase(id: string, base: WorkflowDefinition | null): void {
    setBase.run(base ? JSON.stringify(base) : null, id);
  }

  /** Keeps a version in the draft's history (inside the caller's transaction). */
  function keepVersion(
    id: string,
    reason: VersionInput['reason'],
    remote: Pick<RemoteWorkflow, 'id' | 'versionId'> | null,
    workflow: WorkflowDefinition,
    note: string | null = null,
  ): void {
    const draft = get(id);
    history.record(id, {
      reason,
      actor: ctx.operator(),
      instanceId: draft.instanceId,
      remoteWorkflowId: remote?.id ?? draft.remoteWorkflowId,
      remoteVersionId: remote?.versionId ?? null,
      note,
      workflow,
      atMs: ctx.clock.now(),
    });
  }

  return {
    list: () => (selectAll.all() as DraftRow[]).map(toDraft),
    baseOf,
    saveBase,
    keepVersion,
    history,
    get,
    create,
    clone,
    importDocument,
    update,
    remove,
    diff,
    rebase,
    saveRow,
    record,
    fetchRemote,
  };
}

export type DraftService = ReturnType<typeof createDraftService>;
