import { useErrors, type ShownError } from '../stores/errors-store';
import styles from './ErrorTray.module.css';

const time = (ms: number) =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

const HOW_IT_CLEARS: Record<ShownError['clearsWhen'], string> = {
  connection: 'Clears when the console is connected again.',
  instance: 'Clears when n8n answers again.',
  area: '',
  timer: '',
  sticky: '',
};

/**
 * Toasts: failed calls and notices, newest on top. Plain ones leave after a few seconds (held while
 * pointed at or focused); those about a condition leave when it is resolved (errors-store.ts).
 */
export function ErrorTray() {
  const { errors, dismiss, hold } = useErrors();
  if (errors.length === 0) return null;
  return (
    <div className={styles.tray} role="alert" aria-live="assertive" data-testid="error-tray">
      {errors.map((e) => (
        <div
          key={e.id}
          className={`${styles.toast} error-item`}
          data-code={e.code}
          data-clears={e.clearsWhen}
          data-testid="toast"
          onMouseEnter={() => hold(e.id, true)}
          onMouseLeave={() => hold(e.id, false)}
          onFocus={() => hold(e.id, true)}
          onBlur={() => hold(e.id, false)}
        >
          <div>
            <div className={styles.meta}>
              <strong>{e.code}</strong>
              <time dateTime={new Date(e.atMs).toISOString()}>{time(e.atMs)}</time>
              {e.repeats > 0 && <span>×{e.repeats + 1}</span>}
            </div>
            {e.message}
            {e.retryable && e.clearsWhen === 'timer' && <span className={styles.hint}> You can try again.</span>}
            {HOW_IT_CLEARS[e.clearsWhen] && <span className={styles.hint}> {HOW_IT_CLEARS[e.clearsWhen]}</span>}
          </div>
          <button type="button" className={styles.close} aria-label="Dismiss" onClick={() => dismiss(e.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
