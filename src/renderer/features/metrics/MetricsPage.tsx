import { useEffect, useState } from 'react';
import { api } from '../../api/client';
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
  const [fired, setFired] = useState(0);
  useEffect(() => api.on('alerts:fired', () => setFired((n) => n + 1)), []);

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
            onClick={() => {
              setTab(t.id);
              if (t.id === 'alerts') setFired(0);
            }}
            data-testid={`metrics-tab-${t.id}`}
          >
            {t.label}
            {t.id === 'alerts' && fired > 0 && <span className="badge">{fired}</span>}
          </button>
        ))}
      </div>
      {tab === 'dashboard' && <Dashboard />}
      {tab === 'alerts' && <AlertsPanel />}
      {tab === 'events' && <EventsPanel />}
    </section>
  );
}
