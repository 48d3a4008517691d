import { useState } from 'react';
import type { CallChannel } from '../../../shared/contract';
import { useCan } from '../../stores/auth-store';

/**
 * A destructive or consequential action that asks first: the first click shows the question
 * with Confirm / Cancel in place.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel?: string;
  onConfirm: () => Promise<unknown> | void;
  testId: string;
  danger?: boolean;
  disabled?: boolean;
  /** The call it makes: disabled with the reason when the role may not (team mode). */
  channel?: CallChannel;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const can = useCan(props.channel ?? 'app:status');
  if (!asking)
    return (
      <button
        type="button"
        className={props.danger ? 'danger' : ''}
        disabled={props.disabled || !can.ok}
        title={can.reason}
        onClick={() => setAsking(true)}
        data-testid={props.testId}
      >
        {props.label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        type="button"
        className={props.danger ? 'danger' : 'primary'}
        disabled={busy}
        data-testid={`${props.testId}-confirm`}
        onClick={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } catch {
            // The error is already in the global tray (send reports it).
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {busy ? 'Working…' : (props.confirmLabel ?? props.label)}
      </button>
      <button type="button" onClick={() => setAsking(false)} data-testid={`${props.testId}-cancel`}>
        Cancel
      </button>
    </span>
  );
}
