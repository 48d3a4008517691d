import './approvals.css';
import { useEffect } from 'react';
import { useCall } from '../../data/calls';
import { followApprovalNotifications } from './approvals-store';

/** The pending count beside "Approvals" in the navigation; highlighted when any is high priority. */
export function ApprovalsBadge() {
  const count = useCall('approvals:count', {});
  useEffect(followApprovalNotifications, []);
  // The count could not be read: say so rather than show nothing (which reads "no approvals").
  if (count.isError)
    return (
      <span
        className="nav-badge"
        data-testid="approvals-badge-error"
        title={`Could not count the approvals waiting: ${count.error.message}`}
      >
        ?
      </span>
    );
  const data = count.data;
  if (!data?.pending) return null;
  return (
    <span
      className={data.high ? 'nav-badge nav-badge-high' : 'nav-badge'}
      data-testid="approvals-badge"
      title={`${data.pending} waiting for a decision${data.high ? `, ${data.high} high priority` : ''}`}
    >
      {data.pending}
    </span>
  );
}
