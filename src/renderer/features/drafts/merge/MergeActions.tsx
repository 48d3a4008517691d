import { ask, failureText } from '../failure';
import { CanButton } from '../../../components/Guarded';
import type { Draft } from '../../../../shared/contract';
import { HistoryView } from '../history/HistoryView';
import { MergeView } from './MergeView';
import { useMergeUi } from './merge-store';

/** "Update from n8n" and "History": mounted in the draft editor's actions. */
export function MergeActions({
  draft,
  dirty,
  onProblem,
}: {
  draft: Draft;
  dirty: boolean;
  /** A failed update, in words (the editor shows it beside its actions); null clears it. */
  onProblem(text: string | null): void;
}) {
  const { showMerge, showHistory, replaced } = useMergeUi();
  const update = async () => {
    onProblem(null);
    const report = await ask('drafts:merge', { id: draft.id });
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
        onClick={() => void update().catch((error: unknown) => onProblem(failureText('Updating from n8n', error)))}
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
