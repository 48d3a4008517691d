/**
 * n8n-side backup and migration: every workflow, tag and variable of an instance pulled into a
 * numbered snapshot (a row), and a snapshot pushed into an instance (the same one to roll back,
 * another one to migrate). Everything goes through the N8nWorkflowsPort.
 */
import { z } from 'zod';
import type { Snapshot } from '../../../shared/contract/backups';
import type { WorkflowVersionKind } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import {
  checked,
  remoteTagSchema,
  remoteVariableSchema,
  remoteWorkflowSchema,
  toWorkflowBody,
  type N8nWorkflowsPort,
} from '../drafts/n8n-port';
import { preflightAgainst, restorableDefinition } from '../drafts/preflight-service';
import { preflightWarnings } from '../n8n/preflight';

const snapshotDataSchema = z.object({
  workflows: z.array(remoteWorkflowSchema),
  tags: z.array(remoteTagSchema),
  variables: z.array(remoteVariableSchema),
});

interface SnapshotRow {
  id: number;
  instance_id: string;
  version: number;
  label: string;
  taken_at_ms: number;
  workflow_count: number;
  tag_count: number;
  variable_count: number;
}

const toSnapshot = (r: SnapshotRow): Snapshot => ({
  id: r.id,
  instanceId: r.instance_id,
  version: r.version,
  label: r.label,
  takenAtMs: r.taken_at_ms,
  workflowCount: r.workflow_count,
  tagCount: r.tag_count,
  variableCount: r.variable_count,
});

const COLUMNS = 'id, instance_id, version, label, taken_at_ms, workflow_count, tag_count, variable_count';

export function createSnapshots(ctx: CoreContext, audit: AuditLog, port: N8nWorkflowsPort) {
  const { db } = ctx.store;

  async function knownInstance(instanceId: string) {
    if (!(await port.listInstances()).some((i) => i.id === instanceId)) {
      throw new AppError('VALIDATION', `Unknown instance ${instanceId}: add it under Instances first.`);
    }
  }

  async function take(instanceId: string, label: string): Promise<Snapshot> {
    await knownInstance(instanceId);
    const workflows = checked(z.array(remoteWorkflowSchema), await port.listWorkflows(instanceId), 'the workflows');
    const tags = checked(z.array(remoteTagSchema), await port.listTags(instanceId), 'the tags');
    let variables: z.infer<typeof remoteVariableSchema>[] = [];
    try {
      variables = checked(z.array(remoteVariableSchema), await port.listVariables(instanceId), 'the variables');
    } catch (error) {
      // Variables need an n8n licence; a snapshot without them is still worth taking.
      if (!(error instanceof AppError) || error.code !== 'N8N_FORBIDDEN') throw error;
    }
    const id = ctx.store.write((announce) => {
      const version =
        ((db.prepare('SELECT max(version) FROM n8n_snapshots WHERE instance_id = ?').pluck().get(instanceId) as
          number | null) ?? 0) + 1;
      const info = db
        .prepare(
          `INSERT INTO n8n_snapshots (instance_id, version, label, taken_at_ms, workflow_count, tag_count,
          variable_count, data_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          instanceId,
          version,
          label || `Snapshot ${version}`,
          ctx.clock.now(),
          workflows.length,
          tags.length,
          variables.length,
          JSON.stringify({ workflows, tags, variables }),
        );
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'snapshot.take',
        targetType: 'instance',
        targetId: instanceId,
        details: { version, workflows: workflows.length },
      });
      announce('backups:changed', { reason: 'snapshot' });
      return Number(info.lastInsertRowid);
    });
    return toSnapshot(db.prepare(`SELECT ${COLUMNS} FROM n8n_snapshots WHERE id = ?`).get(id) as SnapshotRow);
  }

  function list(instanceId?: string): Snapshot[] {
    const rows = instanceId
      ? db.prepare(`SELECT ${COLUMNS} FROM n8n_snapshots WHERE instance_id = ? ORDER BY id DESC`).all(instanceId)
      : db.prepare(`SELECT ${COLUMNS} FROM n8n_snapshots ORDER BY id DESC`).all();
    return (rows as SnapshotRow[]).map(toSnapshot);
  }

  /**
   * Creates missing tags and variables; workflows with the same name are updated, others created.
   * `version`: each workflow's saved draft, or its published version where one was live (n8n 2.x
   * can hold both). The pre-flight's findings (node types the target lacks) come back as warnings.
   */
  async function restoreInto(snapshotId: number, target: string, version: WorkflowVersionKind = 'draft') {
    const row = db.prepare('SELECT instance_id, data_json FROM n8n_snapshots WHERE id = ?').get(snapshotId) as
      { instance_id: string; data_json: string } | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No snapshot ${snapshotId}; it may have been removed.`);
    await knownInstance(target);
    const data = snapshotDataSchema.parse(JSON.parse(row.data_json));
    const definitions = data.workflows.map((w) => ({ workflow: w, definition: restorableDefinition(w, version) }));
    const preflight = await preflightAgainst(
      port,
      target,
      definitions.map(({ workflow, definition }) => ({
        workflowId: workflow.id,
        name: workflow.name,
        nodes: definition.nodes,
      })),
      { version, sourceInstanceId: row.instance_id },
    );
    const warnings: string[] = preflightWarnings(preflight);
    const differing = data.workflows.filter((w) => w.published && w.published.versionId !== w.versionId).length;
    if (differing)
      warnings.push(
        version === 'draft'
          ? `${differing} workflow(s) had a saved draft newer than their published version: the drafts were restored.`
          : `${differing} workflow(s) had a saved draft newer than their published version: the published versions were restored.`,
      );

    const tagIds = new Map((await port.listTags(target)).map((t) => [t.name, t.id]));
    let tagsCreated = 0;
    for (const tag of data.tags) {
      if (tagIds.has(tag.name)) continue;
      tagIds.set(tag.name, checked(remoteTagSchema, await port.createTag(target, tag.name), 'the created tag').id);
      tagsCreated++;
    }

    let variablesCreated = 0;
    try {
      const existing = new Set((await port.listVariables(target)).map((v) => v.key));
      for (const variable of data.variables.filter((v) => !existing.has(v.key))) {
        await port.createVariable(target, variable);
        variablesCreated++;
      }
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'N8N_FORBIDDEN') throw error;
      if (data.variables.length) warnings.push(`Variables were not restored: ${error.message}`);
    }

    const byName = new Map((await port.listWorkflows(target)).map((w) => [w.name, w.id]));
    const idMap: Record<string, string> = {};
    let created = 0;
    let updated = 0;
    for (const { workflow, definition } of definitions) {
      const body = toWorkflowBody(definition);
      const existingId = byName.get(workflow.name);
      const saved = checked(
        remoteWorkflowSchema,
        existingId ? await port.updateWorkflow(target, existingId, body) : await port.createWorkflow(target, body),
        'the saved workflow',
      );
      if (existingId) updated++;
      else created++;
      idMap[workflow.id] = saved.id;
      const ids = workflow.tags.map((t) => tagIds.get(t.name)).filter((t): t is string => t !== undefined);
      if (ids.length) await port.setWorkflowTags(target, saved.id, ids);
      if (workflow.active)
        warnings.push(`"${workflow.name}" was active in the snapshot; activate it in ${target} after review.`);
    }
    ctx.store.write((announce) => {
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'snapshot.restore',
        targetType: 'instance',
        targetId: target,
        details: { snapshotId, from: row.instance_id, created, updated, tagsCreated, variablesCreated },
      });
      announce('backups:changed', { reason: 'snapshot' });
    });
    return { created, updated, tagsCreated, variablesCreated, idMap, warnings };
  }

  return { take, list, restoreInto };
}
