import { useEffect, useRef } from 'react';
import type { PushConflict } from '../../../shared/contract';
import { sideBySide } from './side-by-side';
import { useMergeUi } from './merge/merge-store';
import './conflict.css';

/**
 * n8n changed since the draft was taken: both sides are shown and the operator chooses. Nothing
 * was overwritten; "keep mine" pushes with an explicit override, "take theirs" rebases the draft.
 */
export function ConflictDialog(props: {
  conflict: PushConflict;
  onKeepMine(): void;
  onTakeTheirs(): void;
  onCancel(): void;
  /** Why the last choice failed, in words (shown here: the dialog covers the editor). */
  problem?: string | null;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const { conflict } = props;
  return (
    <dialog ref={dialog} className="dialog wide" onCancel={props.onCancel} data-testid="d-conflict">
      <h2>n8n has changed since this draft was taken</h2>
      <p
        title={`Draft taken from version ${conflict.baseVersionId ?? '—'}; n8n now has ${conflict.remoteVersionId ?? '—'}`}
      >
        {conflict.theirs
          ? `Someone saved “${conflict.theirs.name}” in n8n${
              conflict.remoteUpdatedAtMs ? ` at ${new Date(conflict.remoteUpdatedAtMs).toLocaleString()}` : ''
            } after this draft was taken.`
          : 'The workflow was deleted in n8n after this draft was taken.'}{' '}
        Nothing was pushed. Compare the values and choose what to keep.
      </p>
      {conflict.reasons.includes('updatedAt') && !conflict.reasons.includes('versionId') && (
        <p className="muted" data-testid="d-conflict-saved">
          Same nodes and connections, but saved again in n8n (renamed, or settings changed): n8n 2.x keeps the version
          id for such a save.
        </p>
      )}
      {conflict.diff && conflict.theirs ? (
        conflict.diff.identical ? (
          <p className="muted" data-testid="d-conflict-diff">
            The contents are the same on both sides; only n8n&apos;s version moved on.
          </p>
        ) : (
          <table className="table conflict-values" data-testid="d-conflict-diff">
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Mine (this draft)</th>
                <th scope="col">Theirs (n8n now)</th>
              </tr>
            </thead>
            {sideBySide(conflict.diff, conflict.mine, conflict.theirs).map((group) => (
              <tbody key={`${group.kind}-${group.title}`} data-testid="d-conflict-group">
                <tr className="conflict-group">
                  <th colSpan={3} scope="rowgroup">
                    {group.title}
                    {group.kind === 'added' && <span className="muted"> · only in your draft</span>}
                    {group.kind === 'removed' && <span className="muted"> · only in n8n</span>}
                  </th>
                </tr>
                {group.rows.map((row, i) => (
                  <tr key={i} data-testid="d-conflict-row">
                    <td>{row.what}</td>
                    <td className="mine">
                      <code>{row.mine}</code>
                    </td>
                    <td className="theirs">
                      <code>{row.theirs}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        )
      ) : (
        <p data-testid="d-conflict-diff">
          The workflow is gone from n8n: keeping yours creates it again with {conflict.mine.nodes.length} nodes.
        </p>
      )}
      {props.problem && (
        <p className="invalid" role="alert" data-testid="d-conflict-problem">
          {props.problem}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          Decide later
        </button>
        {conflict.merge && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              props.onCancel();
              if (conflict.merge) useMergeUi.getState().showMerge(conflict.merge);
            }}
            data-testid="d-merge"
          >
            Merge… ({conflict.merge.conflicts.length} to resolve)
          </button>
        )}
        <button type="button" onClick={props.onTakeTheirs} data-testid="d-take-theirs">
          Take theirs (discard my changes)
        </button>
        <button type="button" className="danger" onClick={props.onKeepMine} data-testid="d-keep-mine">
          Keep mine (overwrite n8n)
        </button>
      </div>
    </dialog>
  );
}
