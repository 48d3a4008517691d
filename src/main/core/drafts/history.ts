import type Database from 'better-sqlite3';
import {
  draftVersionSchema,
  workflowDefinitionSchema,
  type DraftVersion,
  type WorkflowDefinition,
} from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';

interface VersionRow {
  id: number;
  draft_id: string;
  reason: DraftVersion['reason'];
  actor: string;
  instance_id: string | null;
  remote_workflow_id: string | null;
  remote_version_id: string | null;
  note: string | null;
  workflow_json: string;
  created_at_ms: number;
}

export interface VersionInput {
  reason: DraftVersion['reason'];
  actor: string;
  instanceId: string | null;
  remoteWorkflowId: string | null;
  remoteVersionId: string | null;
  note?: string | null;
  workflow: WorkflowDefinition;
  atMs: number;
}

/** How many versions a draft keeps; the oldest go first (the first one, its origin, stays). */
export const HISTORY_KEEP = 200;

/**
 * The local history of drafts (draft_versions, 0021): every push, pull, merge and restore keeps
 * the workflow as it was then. Writes run inside the caller's transaction.
 */
export function createDraftHistory(db: Database.Database) {
  const insert = db.prepare(`INSERT INTO draft_versions (draft_id, reason, actor, instance_id, remote_workflow_id,
    remote_version_id, note, workflow_json, created_at_ms) VALUES (@draftId, @reason, @actor, @instanceId,
    @remoteWorkflowId, @remoteVersionId, @note, @workflow, @atMs)`);
  const list = db.prepare('SELECT * FROM draft_versions WHERE draft_id = ? ORDER BY id DESC LIMIT ?');
  const one = db.prepare('SELECT * FROM draft_versions WHERE id = ? AND draft_id = ?');
  const prune = db.prepare(`DELETE FROM draft_versions WHERE draft_id = @draftId
    AND id <> (SELECT MIN(id) FROM draft_versions WHERE draft_id = @draftId)
    AND id NOT IN (SELECT id FROM draft_versions WHERE draft_id = @draftId ORDER BY id DESC LIMIT @keep)`);
  const removeAll = db.prepare('DELETE FROM draft_versions WHERE draft_id = ?');

  function workflowOf(row: VersionRow): WorkflowDefinition {
    const parsed = workflowDefinitionSchema.safeParse(JSON.parse(row.workflow_json));
    if (!parsed.success)
      throw new AppError('INTERNAL', `Version ${row.id} is stored in a shape this version cannot read.`);
    return parsed.data;
  }

  function toVersion(row: VersionRow): DraftVersion {
    const workflow = workflowOf(row);
    return draftVersionSchema.parse({
      id: row.id,
      draftId: row.draft_id,
      reason: row.reason,
      actor: row.actor,
      instanceId: row.instance_id,
      remoteWorkflowId: row.remote_workflow_id,
      remoteVersionId: row.remote_version_id,
      note: row.note,
      name: workflow.name,
      nodes: workflow.nodes.length,
      createdAtMs: row.created_at_ms,
    });
  }

  return {
    /** Call inside a store write. */
    record(draftId: string, v: VersionInput): void {
      insert.run({
        draftId,
        reason: v.reason,
        actor: v.actor,
        instanceId: v.instanceId,
        remoteWorkflowId: v.remoteWorkflowId,
        remoteVersionId: v.remoteVersionId,
        note: v.note ?? null,
        workflow: JSON.stringify(v.workflow),
        atMs: v.atMs,
      });
      prune.run({ draftId, keep: HISTORY_KEEP });
    },
    list(draftId: string): DraftVersion[] {
      return (list.all(draftId, HISTORY_KEEP + 1) as VersionRow[]).map(toVersion);
    },
    workflow(draftId: string, versionId: number): WorkflowDefinition {
      const row = one.get(versionId, draftId) as VersionRow | undefined;
      if (!row) throw new AppError('NOT_FOUND', `Draft ${draftId} has no version ${versionId} in its history.`);
      return workflowOf(row);
    },
    removeAll(draftId: string): void {
      removeAll.run(draftId);
    },
  };
}

export type DraftHistory = ReturnType<typeof createDraftHistory>;
