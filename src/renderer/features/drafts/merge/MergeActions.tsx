import { send } from '../../../api/client';
import { CanButton } from '../../../components/Guarded';
import type { Draft } from '../../../../shared/contract';
import { HistoryView } from '../history/HistoryView';
import { MergeView } from './MergeView';
import { useMergeUi } from './merge-store';

/** "Update from n8n" and "History": mounted in the draft editor's actions. */
export function MergeActions({ draft, dirty }: { draft: Draft; dirty: boolean }) {
  const { showMerge, showHistory, replaced } = useMergeUi();
  const update = async () => {
    const report = await send('drafts:merge', { id: draft.id });
    if (report.applied) replaced();
    showMerge(report);
  };
  return (
    <>
      <CanButton
        channel="drafts:merge"
        type="button"
        disabled={!draft.remoteWorkflowId || dirty}
        title={
          dirty
            ? 'Save the draft first: the merge works on the saved draft'
            : 'Merge what changed in n8n since this draft was taken into the draft'
        }
        onClick={() => void update().catch(() => undefined)}
        data-testid="d-update-from-n8n"
      >
        Update from n8n
      </CanButton>
      <button type="button" onClick={() => showHistory(draft.id)} data-testid="d-history">
        History
      </button>
    </>
  );
}

/** The merge view and the history, above the drafts page (they outlive the editor's remounts). */
export function MergeHost() {
  const { report, historyFor } = useMergeUi();
  if (report) return <MergeView key={`${report.draftId}-${report.remoteUpdatedAtMs}`} report={report} />;
  if (historyFor) return <HistoryView draftId={historyFor} />;
  return null;
}
