import { useEffect, useRef, useState } from 'react';
import type { Decision } from '../../../shared/contract';

/**
 * Confirms a decision and collects its comment (required on reject). States how many items it
 * affects, so a bulk decision is never a surprise.
 */
export function DecisionDialog(props: {
  decision: Decision;
  count: number;
  onConfirm(comment: string): void;
  onCancel(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [comment, setComment] = useState('');
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const reject = props.decision === 'reject';
  const noun = props.count === 1 ? 'approval' : 'approvals';
  const title = `${reject ? 'Reject' : 'Approve'} ${props.count} ${noun}?`;
  const missing = reject && comment.trim() === '';
  const confirm = () => !missing && props.onConfirm(comment.trim());
  return (
    <dialog ref={dialog} className="dialog" onCancel={props.onCancel} data-testid="decision-dialog">
      <h2 data-testid="decision-title">{title}</h2>
      <label className="field">
        <span>{reject ? 'Why? (required, sent with the decision)' : 'Comment (optional)'}</span>
        <textarea
          rows={3}
          value={comment}
          autoFocus
          onChange={(e) => setComment(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) confirm();
          }}
          aria-invalid={missing}
          data-testid="decision-comment"
        />
      </label>
      {props.count > 1 && (
        <p className="muted">
          Each item is decided on its own: one that cannot be decided (already decided elsewhere) is reported and does
          not undo the others.
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={reject ? 'danger' : 'primary'}
          disabled={missing}
          onClick={confirm}
          data-testid="decision-confirm"
        >
          {reject ? 'Reject' : 'Approve'} {props.count} {noun}
        </button>
      </div>
    </dialog>
  );
}
