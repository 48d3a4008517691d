import { useState } from 'react';
import { AlertsBadge } from './AlertsBadge';
import { AlertsPanel } from './AlertsPanel';
import { Dashboard } from './Dashboard';
import { EventsPanel } from './EventsPanel';
import { followAlertNotifications } from './notifications';
import './metrics.css';

const TABS = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'events', label: 'Event log' },
] as const;
type Tab = (typeof TABS)[number]['id'];

// Alerts notify wherever the operator is in the console, not only on this page.
followAlertNotifications();

/** Metrics: the dashboard, alert rules and history, and the monitoring event log. */
export function MetricsPage() {
  const [tab, setTab] = useState<Tab>('dashboard');

  return (
    <section className="page metrics-page" aria-labelledby="metrics-title">
      <h1 id="metrics-title">Metrics</h1>
      <div role="tablist" className="tabs">
        {TABS.map((t) => (
          <button
            key={t.id}
            role="tab"
            type="button"
            aria-selected={tab === t.id}
            onClick={() => setTab(t.id)}
            data-testid={`metrics-tab-${t.id}`}
          >
            {t.label}
            {t.id === 'alerts' && <AlertsBadge className="badge" testId="alerts-tab-badge" />}
          </button>
        ))}
      </div>
      {tab === 'dashboard' && <Dashboard />}
      {tab === 'alerts' && <AlertsPanel />}
      {tab === 'events' && <EventsPanel />}
    </section>
  );
}
