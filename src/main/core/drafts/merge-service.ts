import {
  workflowDefinitionSchema,
  type Draft,
  type MergeReport,
  type MergeResolution,
  type WorkflowDefinition,
} from '../../../shared/contract/drafts';
import { validateWorkflow } from '../../../shared/drafts/workflow-model';
import { AppError } from '../../../shared/result';
import type { CoreContext } from '../context';
import { describeIssues } from '../invoke';
import type { DraftService } from './draft-service';
import { mergeWorkflows, MergeResolutionError, resolveMerge, type MergeResult } from './merge';
import { definitionOf, type RemoteWorkflow } from './n8n-port';

/** What moved in n8n since the draft's base (the push check's rule, shared). */
export function remoteMoved(draft: Draft, remote: RemoteWorkflow): boolean {
  return (
    remote.versionId !== draft.baseVersionId ||
    (draft.baseUpdatedAtMs !== null && remote.updatedAtMs !== draft.baseUpdatedAtMs)
  );
}

/**
 * Three-way merges of drafts with n8n: "update from n8n", the merge a push against a moved remote
 * computes, and applying the operator's resolutions. A clean merge is applied at once: the draft
 * becomes the merged result and n8n's version its new base (the next push goes through).
 */
export function createDraftMerger(ctx: CoreContext, drafts: DraftService) {
  function report(
    draft: Draft,
    remote: RemoteWorkflow,
    base: WorkflowDefinition | null,
    theirs: WorkflowDefinition,
    result: MergeResult,
    fields: { upToDate: boolean; applied: boolean },
  ): MergeReport {
    return {
      draftId: draft.id,
      remoteVersionId: remote.versionId,
      remoteUpdatedAtMs: remote.updatedAtMs,
      baseKnown: base !== null,
      ...fields,
      conflicts: result.conflicts,
      changes: result.changes,
      droppedLinks: result.droppedLinks,
      base,
      mine: draft.workflow,
      theirs,
      merged: result.merged,
      issues: validateWorkflow(result.merged),
    };
  }

  /** The draft becomes `merged` with `remote` as its base; kept in history and the audit log. */
  function apply(
    draft: Draft,
    remote: RemoteWorkflow,
    merged: WorkflowDefinition,
    details: { changes: number; resolved: number },
  ) {
    const theirs = definitionOf(remote);
    ctx.store.write((announce) => {
      drafts.saveRow(draft, {
        workflow: merged,
        baseVersionId: remote.versionId,
        baseUpdatedAtMs: remote.updatedAtMs,
        baseKind: 'draft',
      });
      drafts.saveBase(draft.id, theirs);
      drafts.keepVersion(draft.id, 'merge', remote, merged, describe(details));
      drafts.record(announce, 'draft.merge', draft.id, { versionId: remote.versionId, ...details });
    });
  }

  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const describe = (d: { changes: number; resolved: number }) =>
    [
      plural(d.changes, 'change merged by itself', 'changes merged by themselves'),
      ...(d.resolved > 0 ? [plural(d.resolved, 'overlap resolved', 'overlaps resolved')] : []),
    ].join(', ');

  /** Merges the draft with `remote`; applies it when clean. */
  function mergeWith(draft: Draft, remote: RemoteWorkflow): MergeReport {
    const theirs = definitionOf(remote);
    const base = drafts.baseOf(draft.id);
    if (!remoteMoved(draft, remote)) {
      const same = mergeWorkflows(base ?? theirs, draft.workflow, theirs);
      return report(
        draft,
        remote,
        base,
        theirs,
        { ...same, conflicts: [], changes: [] },
        { upToDate: true, applied: false },
      );
    }
    const result = mergeWorkflows(base, draft.workflow, theirs);
    const clean = result.conflicts.length === 0;
    if (clean) apply(draft, remote, result.merged, { changes: result.changes.length, resolved: 0 });
    return report(draft, remote, base, theirs, result, { upToDate: false, applied: clean });
  }

  async function remoteOf(draft: Draft): Promise<RemoteWorkflow> {
    if (!draft.instanceId || !draft.remoteWorkflowId) {
      throw new AppError(
        'VALIDATION',
        `Draft "${draft.workflow.name}" is not tied to a workflow in n8n yet: push it first, there is nothing to update from.`,
      );
    }
    try {
      return await drafts.fetchRemote(draft.instanceId, draft.remoteWorkflowId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'N8N_NOT_FOUND') {
        throw new AppError(
          'CONFLICT',
          `"${draft.workflow.name}" was deleted in n8n: there is nothing to merge with. Push to create it again.`,
        );
      }
      throw error;
    }
  }

  /** "Update from n8n". */
  async function merge(id: string): Promise<MergeReport> {
    const draft = drafts.get(id);
    return mergeWith(draft, await remoteOf(draft));
  }

  /** Applies the operator's resolutions to the merge with the n8n version they saw. */
  async function mergeApply(
    id: string,
    seen: { remoteVersionId: string | null; remoteUpdatedAtMs: number },
    resolutions: MergeResolution[],
  ): Promise<Draft> {
    const draft = drafts.get(id);
    const remote = await remoteOf(draft);
    if (remote.versionId !== seen.remoteVersionId || remote.updatedAtMs !== seen.remoteUpdatedAtMs) {
      throw new AppError(
        'CONFLICT',
        `n8n saved "${remote.name}" again since this merge was computed: nothing was applied. Merge again.`,
      );
    }
    let merged: WorkflowDefinition;
    const base = drafts.baseOf(id);
    const theirs = definitionOf(remote);
    try {
      merged = resolveMerge(base, draft.workflow, theirs, resolutions).workflow;
    } catch (error) {
      if (error instanceof MergeResolutionError) throw new AppError('VALIDATION', `Nothing applied: ${error.message}`);
      throw error;
    }
    // An edited value may not fit n8n's shape (a position that is not [x, y]…): refused here.
    const checked = workflowDefinitionSchema.safeParse(merged);
    if (!checked.success) throw new AppError('VALIDATION', describeIssues('the merged workflow', checked.error));
    apply(draft, remote, checked.data, {
      changes: mergeWorkflows(base, draft.workflow, theirs).changes.length,
      resolved: resolutions.length,
    });
    return drafts.get(id);
  }

  return { merge, mergeApply, mergeWith };
}

export type DraftMerger = ReturnType<typeof createDraftMerger>;
