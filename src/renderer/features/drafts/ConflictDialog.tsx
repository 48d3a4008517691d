import { useEffect, useRef } from 'react';
import type { PushConflict } from '../../../shared/contract';
import { DiffView } from './DiffView';

/**
 * n8n changed since the draft was taken: both sides are shown and the operator chooses. Nothing
 * was overwritten; "keep mine" pushes with an explicit override, "take theirs" rebases the draft.
 */
export function ConflictDialog(props: {
  conflict: PushConflict;
  onKeepMine(): void;
  onTakeTheirs(): void;
  onCancel(): void;
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
      <p>
        Your draft was based on version <code>{conflict.baseVersionId ?? '—'}</code>; n8n now has{' '}
        {conflict.theirs ? (
          <>
            version <code>{conflict.remoteVersionId ?? '—'}</code>
            {conflict.remoteUpdatedAtMs ? `, saved ${new Date(conflict.remoteUpdatedAtMs).toLocaleString()}` : ''}
          </>
        ) : (
          'no such workflow (it was deleted)'
        )}
        . Nothing was pushed.
      </p>
      {conflict.reasons.includes('updatedAt') && !conflict.reasons.includes('versionId') && (
        <p className="muted" data-testid="d-conflict-saved">
          Same nodes and connections, but saved again in n8n (renamed, or settings changed): n8n 2.x keeps the version
          id for such a save.
        </p>
      )}
      {conflict.diff && (
        <>
          <h3>Your draft compared with n8n</h3>
          <DiffView diff={conflict.diff} testId="d-conflict-diff" />
        </>
      )}
      <div className="grid2">
        <div>
          <h3>Mine ({conflict.mine.nodes.length} nodes)</h3>
          <pre className="code">{conflict.mine.nodes.map((n) => n.name).join('\n')}</pre>
        </div>
        <div>
          <h3>Theirs ({conflict.theirs?.nodes.length ?? 0} nodes)</h3>
          <pre className="code">{conflict.theirs?.nodes.map((n) => n.name).join('\n') ?? '(deleted)'}</pre>
        </div>
      </div>
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          Decide later
        </button>
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
