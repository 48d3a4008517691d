import { useApp } from '../stores/app-store';
import styles from './shared.module.css';

const LABELS = { connecting: 'Connecting…', connected: 'Connected', disconnected: 'Offline — reconnecting' };

/** Whether this window can reach the Flightdeck core (not n8n: instances show their own health). */
export function ConnectionBadge() {
  const connection = useApp((s) => s.connection);
  return (
    <span
      className={`${styles.connection} ${styles[connection] ?? ''}`}
      data-testid="connection"
      data-state={connection}
      role="status"
    >
      <span className={styles.dot} aria-hidden />
      {LABELS[connection]}
    </span>
  );
}
