import { z } from 'zod';
import type { PreflightReport, WorkflowVersionKind } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import type { CoreContext } from '../context';
import { checkNodeTypes, usesCommunityNodes, type PreflightWorkflow } from '../n8n/preflight';
import type { DraftService } from './draft-service';
import { definitionOf, remoteWorkflowSchema, type N8nWorkflowsPort, type RemoteWorkflow } from './n8n-port';

/**
 * The definition a restore or migration writes for `version`: the published version where one
 * is live, else the saved draft (a workflow that was never published has only that).
 */
export const restorableDefinition = (remote: RemoteWorkflow, version: WorkflowVersionKind) =>
  definitionOf(remote, version) ?? definitionOf(remote);

/** Runs the pre-flight of `workflows` against an instance, asking the port what it knows of it. */
export async function preflightAgainst(
  port: N8nWorkflowsPort,
  instanceId: string,
  workflows: PreflightWorkflow[],
  options: { version?: WorkflowVersionKind; sourceInstanceId?: string } = {},
): Promise<PreflightReport> {
  const info = port.targetInfo
    ? await port.targetInfo(instanceId, { communityNodeTypes: usesCommunityNodes(workflows) })
    : { version: null, communityNodeTypes: null };
  let sourceVersion: string | null = null;
  if (options.sourceInstanceId && options.sourceInstanceId !== instanceId && port.targetInfo) {
    // The source may be gone or unreachable: its version only adds a note.
    sourceVersion = await port
      .targetInfo(options.sourceInstanceId, { communityNodeTypes: false })
      .then((i) => i.version)
      .catch(() => null);
  }
  return checkNodeTypes(workflows, { instanceId, ...info, sourceVersion }, options.version ?? 'draft');
}

const snapshotWorkflowsSchema = z.object({ workflows: z.array(remoteWorkflowSchema) });

/** Dry runs before a push or a migration: nothing is written, nothing is sent to n8n but reads. */
export function createPreflight(ctx: CoreContext, drafts: DraftService, port: N8nWorkflowsPort) {
  const { db } = ctx.store;

  async function knownInstance(instanceId: string) {
    if (!(await port.listInstances()).some((i) => i.id === instanceId))
      throw new AppError('VALIDATION', `Unknown instance ${instanceId}: add it under Instances first.`);
  }

  /** A draft against the instance it is pushed to. */
  async function forDraft(draftId: string): Promise<PreflightReport> {
    const draft = drafts.get(draftId);
    if (!draft.instanceId)
      throw new AppError('VALIDATION', `Choose the instance "${draft.workflow.name}" will be pushed to first.`);
    await knownInstance(draft.instanceId);
    const workflow = { workflowId: draft.remoteWorkflowId, name: draft.workflow.name, nodes: draft.workflow.nodes };
    return preflightAgainst(port, draft.instanceId, [workflow]);
  }

  /** A snapshot's workflows (their drafts or published versions) against the instance they would go into. */
  async function forSnapshot(
    snapshotId: number,
    targetInstanceId: string,
    version: WorkflowVersionKind,
  ): Promise<PreflightReport> {
    const row = db.prepare('SELECT instance_id, data_json FROM n8n_snapshots WHERE id = ?').get(snapshotId) as
      { instance_id: string; data_json: string } | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No snapshot ${snapshotId}; it may have been removed.`);
    await knownInstance(targetInstanceId);
    const parsed = snapshotWorkflowsSchema.safeParse(JSON.parse(row.data_json));
    if (!parsed.success)
      throw new AppError('INTERNAL', `Snapshot ${snapshotId} is stored in a shape this version cannot read.`);
    const workflows = parsed.data.workflows.map((w) => ({
      workflowId: w.id,
      name: w.name,
      nodes: restorableDefinition(w, version).nodes,
    }));
    return preflightAgainst(port, targetInstanceId, workflows, { version, sourceInstanceId: row.instance_id });
  }

  return { forDraft, forSnapshot };
}

export type Preflight = ReturnType<typeof createPreflight>;
