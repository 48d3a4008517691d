import { create } from 'zustand';
import type { MergeReport } from '../../../../shared/contract';
import { useDrafts } from '../drafts-store';

/** A version of a draft's history, the draft as it is now, or the workflow as n8n has it now. */
export type VersionRef = number | 'current' | 'n8n';

interface MergeUi {
  /** The merge shown in the merge view, if any. */
  report: MergeReport | null;
  /** The draft whose history is shown, if any. */
  historyFor: string | null;
  /** Two versions the history opens compared (e.g. "Compare with n8n" → on the canvas). */
  historyCompare: { from: VersionRef; to: VersionRef } | null;
  /**
   * Bumped when a merge or a restore replaced the draft's workflow: the drafts page keys the
   * editor with it, so the editor shows the new workflow instead of its own stale copy.
   */
  revision: number;
  showMerge(report: MergeReport): void;
  showHistory(draftId: string, compare?: { from: VersionRef; to: VersionRef }): void;
  close(): void;
  replaced(): void;
}

export const useMergeUi = create<MergeUi>((set) => ({
  report: null,
  historyFor: null,
  historyCompare: null,
  revision: 0,
  showMerge: (report) => set({ report, historyFor: null, historyCompare: null }),
  showHistory: (historyFor, compare) => set({ historyFor, historyCompare: compare ?? null, report: null }),
  close: () => set({ report: null, historyFor: null, historyCompare: null }),
  // The list is read again first: the editor must remount on the new workflow, not the cached one.
  // (load never rejects: a failed load is shown by the drafts page with a Retry.)
  replaced: () =>
    void useDrafts
      .getState()
      .load()
      .then(() => set((s) => ({ revision: s.revision + 1 }))),
}));
