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
import { outcomeUnknown } from '../promote/write-outcome';

const snapshotDataSchema = z.object({
  workflows: z.array(remoteWorkflowSchema),
  tags: z.array(remoteTagSchema),
  variables: z.array(remoteVariableSchema),
});
type SnapshotData = z.infer<typeof snapshotDataSchema>;

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

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The error of a restore that stopped part-way, saying what it had written by then (and where
 * the overwritten workflows are kept); code and retryability are n8n's.
 */
function partialFailure(
  error: unknown,
  done: {
    created: number;
    updated: number;
    tagsCreated: number;
    variablesCreated: number;
    written: { name: string; id: string | null; action: 'created' | 'updated' | 'unknown' }[];
    kept: Snapshot | null;
  },
): AppError {
  const names = (action: string) =>
    done.written
      .filter((w) => w.action === action)
      .map((w) => `"${w.name}"`)
      .join(', ');
  const parts: string[] = [];
  if (done.created) parts.push(`created ${done.created} workflow(s) (${names('created')})`);
  if (done.updated) parts.push(`updated ${done.updated} (${names('updated')})`);
  if (done.tagsCreated) parts.push(`created ${done.tagsCreated} tag(s)`);
  if (done.variablesCreated) parts.push(`created ${done.variablesCreated} variable(s)`);
  const unknown = names('unknown');
  const said =
    (parts.length ? `Before it failed, the restore ${parts.join(', ')}.` : 'Nothing was written before it failed.') +
    (unknown ? ` n8n may or may not have saved ${unknown} (its answer never came): check the target.` : '') +
    (done.kept
      ? ` The target's workflows as they were before are kept as its snapshot v${done.kept.version}: restore it to put the overwritten ones back.`
      : '');
  const code = error instanceof AppError ? error.code : 'INTERNAL';
  return new AppError(code, `The snapshot restore stopped: ${messageOf(error)} ${said}`, {
    retryable: error instanceof AppError && error.retryable,
    details: {
      created: done.created,
      updated: done.updated,
      tagsCreated: done.tagsCreated,
      variablesCreated: done.variablesCreated,
      workflows: done.written,
      ...(done.kept && { keptAsSnapshot: { id: done.kept.id, version: done.kept.version } }),
    },
  });
}

const COLUMNS = 'id, instance_id, version, label, taken_at_ms, workflow_count, tag_count, variable_count';

export function createSnapshots(ctx: CoreContext, audit: AuditLog, port: N8nWorkflowsPort) {
  const { db } = ctx.store;

  /** The instances, once one of them is known to be `instanceId`. */
  async function knownInstance(instanceId: string) {
    const instances = await port.listInstances();
    if (!instances.some((i) => i.id === instanceId)) {
      throw new AppError('VALIDATION', `Unknown instance ${instanceId}: add it under Instances first.`);
    }
    return instances;
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
    return store(instanceId, label, { workflows, tags, variables });
  }

  /** Keeps what was read as the instance's next numbered snapshot. */
  function store(instanceId: string, label: string, data: SnapshotData, reason?: string): Snapshot {
    const { workflows, tags, variables } = data;
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
        details: { version, workflows: workflows.length, ...(reason && { reason }) },
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
    const row = db.prepare('SELECT instance_id, version, data_json FROM n8n_snapshots WHERE id = ?').get(snapshotId) as
      { instance_id: string; version: number; data_json: string } | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No snapshot ${snapshotId}; it may have been removed.`);
    const instances = await knownInstance(target);
    const sourceName = instances.find((i) => i.id === row.instance_id)?.name ?? row.instance_id;
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

    const targetTags = checked(z.array(remoteTagSchema), await port.listTags(target), 'the target tags');
    const tagIds = new Map(targetTags.map((t) => [t.name, t.id]));
    let tagsCreated = 0;
    let variablesCreated = 0;
    let targetVariables: SnapshotData['variables'] = [];
    const idMap: Record<string, string> = {};
    let created = 0;
    let updated = 0;
    /** Workflows written, in order (`unknown`: n8n's answer never came; it may have been written). */
    const written: { name: string; id: string | null; action: 'created' | 'updated' | 'unknown' }[] = [];
    let kept: Snapshot | null = null;
    let failure: unknown = null;
    try {
      for (const tag of data.tags) {
        if (tagIds.has(tag.name)) continue;
        tagIds.set(tag.name, checked(remoteTagSchema, await port.createTag(target, tag.name), 'the created tag').id);
        tagsCreated++;
      }

      try {
        targetVariables = checked(z.array(remoteVariableSchema), await port.listVariables(target), 'the variables');
        const existing = new Set(targetVariables.map((v) => v.key));
        for (const variable of data.variables.filter((v) => !existing.has(v.key))) {
          await port.createVariable(target, variable);
          variablesCreated++;
        }
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'N8N_FORBIDDEN') throw error;
        if (data.variables.length) warnings.push(`Variables were not restored: ${error.message}`);
      }

      const targetWorkflows = checked(
        z.array(remoteWorkflowSchema),
        await port.listWorkflows(target),
        'the target workflows',
      );
      const byName = new Map(targetWorkflows.map((w) => [w.name, w.id]));
      // What the target held before it is overwritten, kept as its snapshot: restoring that one
      // puts the overwritten workflows back.
      if (data.workflows.some((w) => byName.has(w.name))) {
        kept = store(
          target,
          `Before restoring snapshot v${row.version} of ${sourceName}`,
          { workflows: targetWorkflows, tags: targetTags, variables: targetVariables },
          `before restoring snapshot ${snapshotId}`,
        );
        warnings.push(
          `The target's workflows before this restore are kept as its snapshot v${kept.version}: restore that one to put the overwritten workflows back.`,
        );
      }
      for (const { workflow, definition } of definitions) {
        const body = toWorkflowBody(definition);
        const existingId = byName.get(workflow.name);
        let answer: unknown;
        try {
          answer = existingId
            ? await port.updateWorkflow(target, existingId, body)
            : await port.createWorkflow(target, body);
        } catch (error) {
          if (outcomeUnknown(error)) written.push({ name: workflow.name, id: existingId ?? null, action: 'unknown' });
          throw error;
        }
        const rawId = (answer as { id?: unknown } | null)?.id;
        const savedId = existingId ?? (typeof rawId === 'string' && rawId ? rawId : null);
        written.push({ name: workflow.name, id: savedId, action: existingId ? 'updated' : 'created' });
        if (existingId) updated++;
        else created++;
        const saved = checked(remoteWorkflowSchema, answer, 'the saved workflow');
        idMap[workflow.id] = saved.id;
        const ids = workflow.tags.map((t) => tagIds.get(t.name)).filter((t): t is string => t !== undefined);
        if (ids.length) await port.setWorkflowTags(target, saved.id, ids);
        if (workflow.active)
          warnings.push(`"${workflow.name}" was active in the snapshot; activate it in ${target} after review.`);
      }
    } catch (error) {
      failure = error;
    } finally {
      // Recorded whatever happened: what was written is on the target either way.
      ctx.store.write((announce) => {
        audit.record(announce, {
          actor: ctx.operator(),
          action: 'snapshot.restore',
          targetType: 'instance',
          targetId: target,
          details: {
            snapshotId,
            from: row.instance_id,
            created,
            updated,
            tagsCreated,
            variablesCreated,
            workflows: written,
            ...(kept && { keptAsSnapshot: { id: kept.id, version: kept.version } }),
            ...(failure !== null && { error: messageOf(failure) }),
          },
        });
        announce('backups:changed', { reason: 'snapshot' });
      });
    }
    if (failure !== null)
      throw partialFailure(failure, { created, updated, tagsCreated, variablesCreated, written, kept });
    return { created, updated, tagsCreated, variablesCreated, idMap, warnings };
  }

  return { take, list, restoreInto };
}
