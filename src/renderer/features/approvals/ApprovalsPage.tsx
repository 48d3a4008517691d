import { useState } from 'react';
import { useCall } from '../../data/calls';
import { hashFor } from '../../stores/routes';
import { InboxView } from './InboxView';
import { RulesView } from './RulesView';

const TABS = [
  ['inbox', 'Inbox'],
  ['rules', 'Rules'],
] as const;

/** Offers desktop notifications for new high-priority items (the browser asks once). */
function NotificationToggle() {
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  if (permission !== 'default') return null;
  return (
    <button
      type="button"
      onClick={() => void Notification.requestPermission().then(setPermission)}
      title="Show a desktop notification when a high-priority approval arrives"
    >
      Enable desktop notifications
    </button>
  );
}

/**
 * Approvals: the inbox across instances and the auto-approval rules. Their audit trail is the
 * Audit area's, filtered to approvals (one log, one place to read it).
 */
export function ApprovalsPage() {
  const [tab, setTab] = useState<(typeof TABS)[number][0]>('inbox');
  const count = useCall('approvals:count', {}).data;
  return (
    <section className="page approvals">
      <h1>Approvals</h1>
      <div className="approvals-head">
        <div className="tabs" role="tablist">
          {TABS.map(([id, label]) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={tab === id}
              onClick={() => setTab(id)}
              data-testid={`tab-${id}`}
            >
              {label}
              {id === 'inbox' && count?.pending ? ` (${count.pending})` : ''}
            </button>
          ))}
        </div>
        {/* Not tabs: outside the tab list, so assistive tech reads the tabs as tabs. */}
        <span className="approvals-links">
          <a href={hashFor('audit', 'approval')} data-testid="approvals-audit-link">
            Audit log of approvals
          </a>
          <NotificationToggle />
        </span>
      </div>
      {tab === 'inbox' && <InboxView />}
      {tab === 'rules' && <RulesView />}
    </section>
  );
}
