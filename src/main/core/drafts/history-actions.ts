import type { WorkflowDefinition } from '../../../shared/contract/drafts';
import { diffWorkflows } from '../../../shared/drafts/workflow-model';
import type { CoreContext } from '../context';
import type { DraftService } from './draft-service';

/** The History view's verbs: list, compare two versions, restore one into the draft. */
export function createHistoryActions(ctx: CoreContext, drafts: DraftService) {
  function workflowAt(draftId: string, ref: number | 'current'): WorkflowDefinition {
    return ref === 'current' ? drafts.get(draftId).workflow : drafts.history.workflow(draftId, ref);
  }

  return {
    list(draftId: string) {
      drafts.get(draftId); // NOT_FOUND for an unknown draft, not an empty list
      return drafts.history.list(draftId);
    },
    /** What changed from `from` to `to` (added: only in `to`). */
    compare(draftId: string, from: number | 'current', to: number | 'current') {
      drafts.get(draftId);
      const a = workflowAt(draftId, from);
      const b = workflowAt(draftId, to);
      return { diff: diffWorkflows(b, a), from: a, to: b };
    },
    /**
     * The draft becomes an earlier version. Its base stays: the next push is checked against n8n
     * like any other (merged when n8n moved), which makes restore + push a rollback.
     */
    restore(draftId: string, versionId: number) {
      const draft = drafts.get(draftId);
      const workflow = drafts.history.workflow(draftId, versionId);
      ctx.store.write((announce) => {
        drafts.saveRow(draft, { workflow });
        drafts.keepVersion(draftId, 'restore', null, workflow, `restored version #${versionId}`);
        drafts.record(announce, 'draft.restore', draftId, { versionId });
      });
      return drafts.get(draftId);
    },
  };
}
