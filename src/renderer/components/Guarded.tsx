import type { ButtonHTMLAttributes } from 'react';
import type { CallChannel } from '../../shared/contract';
import { useCan } from '../stores/auth-store';

/**
 * A button for one call: disabled, with the reason as its tooltip, when the signed-in role may
 * not make that call (team mode). The core refuses such a call anyway; this only says so first.
 */
export function CanButton({ channel, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { channel: CallChannel }) {
  const can = useCan(channel);
  return (
    <button
      type="button"
      {...props}
      disabled={Boolean(props.disabled) || !can.ok}
      title={can.ok ? props.title : can.reason}
      data-forbidden={can.ok ? undefined : channel}
    />
  );
}

/**
 * One line above an area the role may read but not change: `Read only here: changing mappings
 * needs the editor role (you are a viewer).` Nothing when the role may make the call.
 */
export function RoleNote({ channel, doing }: { channel: CallChannel; doing: string }) {
  const can = useCan(channel);
  if (can.ok) return null;
  const reason = can.reason?.replace(/^Needs/, 'needs') ?? '';
  return (
    <p className="why-not" role="note" data-testid="role-note">
      Read only here: {doing} {reason}
    </p>
  );
}
