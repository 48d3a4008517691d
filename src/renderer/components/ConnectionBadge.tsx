import { useApp } from '../stores/app-store';

const LABELS = { connecting: 'Connecting…', connected: 'Connected', disconnected: 'Offline — reconnecting' };

/** Whether this window can reach the Flightdeck core (not n8n: instances show their own health). */
export function ConnectionBadge() {
  const connection = useApp((s) => s.connection);
  return (
    <span className={`connection connection-${connection}`} data-testid="connection" data-state={connection}>
      <span className="dot" aria-hidden />
      {LABELS[connection]}
    </span>
  );
}
