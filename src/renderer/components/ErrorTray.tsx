import { useErrors } from '../stores/errors-store';

/** The global place where errors appear, newest on top; each can be dismissed. */
export function ErrorTray() {
  const { errors, dismiss } = useErrors();
  if (errors.length === 0) return null;
  return (
    <div className="error-tray" role="alert" aria-live="assertive" data-testid="error-tray">
      {errors.map((e) => (
        <div key={e.id} className="error-item" data-code={e.code}>
          <div>
            <strong>{e.code}</strong> {e.message}
            {e.retryable && <span className="muted"> You can try again.</span>}
          </div>
          <button type="button" aria-label="Dismiss error" onClick={() => dismiss(e.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
