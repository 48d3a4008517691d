import type { AppStatus } from '../../shared/contract';
import styles from './shared.module.css';

/** Shown instead of the console when the store refused to open: what happened and what to do. */
export function StartupError({ status }: { status: AppStatus }) {
  return (
    <main className={styles.startup} data-testid="startup-error">
      <h1>Flightdeck could not open its data</h1>
      <p className={styles.startupCode}>{status.startupError?.code}</p>
      <p>{status.startupError?.message}</p>
      <p className="muted">Data directory: {status.dataDir}</p>
      <p className="muted">Nothing has been changed. Fix the cause above and restart Flightdeck.</p>
    </main>
  );
}
