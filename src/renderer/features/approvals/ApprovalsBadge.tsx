import './approvals.css';
import { useEffect } from 'react';
import { followApprovalCount, useApprovals } from './approvals-store';

/** The pending count beside "Approvals" in the navigation; highlighted when any is high priority. */
export function ApprovalsBadge() {
  const count = useApprovals((s) => s.count);
  useEffect(followApprovalCount, []);
  if (!count?.pending) return null;
  return (
    <span
      className={count.high ? 'nav-badge nav-badge-high' : 'nav-badge'}
      data-testid="approvals-badge"
      title={`${count.pending} waiting for a decision${count.high ? `, ${count.high} high priority` : ''}`}
    >
      {count.pending}
    </span>
  );
}
