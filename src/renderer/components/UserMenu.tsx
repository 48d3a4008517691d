import { useState } from 'react';
import { sendCatch } from '../api/client';
import { useAuth } from '../stores/auth-store';
import { useErrors } from '../stores/errors-store';
import { useNav } from '../stores/nav-store';

/**
 * Ends this browser's session (clears the cookie) and shows the sign-in page. When the host does
 * not answer, the cookie still holds: say so and stay, rather than show a sign-in page that will
 * not load.
 */
export async function logOut(): Promise<boolean> {
  try {
    await fetch('/auth/logout', { method: 'POST', cache: 'no-store' });
  } catch {
    useErrors.getState().report(
      {
        code: 'UNAVAILABLE',
        message: 'You are still signed in: the console’s host did not answer. Log out again once it is back.',
        retryable: true,
      },
      { channel: 'auth:logout' },
    );
    return false;
  }
  location.assign('/login');
  return true;
}

/**
 * Ends every session of this user, then this one. When the core refuses or cannot be reached,
 * nothing has ended: say so and stay signed in (logging out only here would look like success).
 * Resolves false then (or when this browser's own log out failed), so the caller's button is usable again.
 */
export async function logOutEverywhere(): Promise<boolean> {
  const result = await sendCatch('auth:logoutEverywhere', {});
  if (result.ok) return logOut();
  useErrors.getState().report(
    {
      ...result.error,
      message: `Your sessions were not ended: ${result.error.message} You are still signed in everywhere; try again.`,
    },
    { channel: 'auth:logoutEverywhere' },
  );
  return false;
}

/** Team mode: who is signed in here, their role, and the ways out. Nothing in single-operator mode. */
export function UserMenu() {
  const me = useAuth((s) => s.me);
  const go = useNav((s) => s.go);
  const [busy, setBusy] = useState(false);
  if (me?.mode !== 'team') return null;

  const everywhere = async () => {
    setBusy(true);
    if (!(await logOutEverywhere())) setBusy(false);
  };

  return (
    <details className="user-menu" data-testid="user-menu">
      <summary>
        <span data-testid="current-user">{me.displayName}</span> <span className="role-tag">{me.role}</span>
      </summary>
      <div className="user-menu-items" role="menu">
        <p className="muted">
          Signed in as <strong>{me.username}</strong>
          {me.expiresAtMs ? ` until ${new Date(me.expiresAtMs).toLocaleString()}` : ''}.
        </p>
        <button type="button" role="menuitem" onClick={() => go('team')} data-testid="open-team">
          Account, sessions and tokens
        </button>
        <button type="button" role="menuitem" disabled={busy} onClick={() => void logOut()} data-testid="log-out">
          Log out
        </button>
        <button
          type="button"
          role="menuitem"
          disabled={busy}
          onClick={() => void everywhere()}
          data-testid="log-out-everywhere"
        >
          Log out everywhere
        </button>
      </div>
    </details>
  );
}
