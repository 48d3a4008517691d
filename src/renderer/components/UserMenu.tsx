import { useState } from 'react';
import { send } from '../api/client';
import { useAuth } from '../stores/auth-store';
import { useNav } from '../stores/nav-store';

/** Ends this browser's session (clears the cookie) and shows the sign-in page. */
export async function logOut(): Promise<void> {
  try {
    await fetch('/auth/logout', { method: 'POST', cache: 'no-store' });
  } finally {
    location.assign('/login');
  }
}

/** Team mode: who is signed in here, their role, and the ways out. Nothing in single-operator mode. */
export function UserMenu() {
  const me = useAuth((s) => s.me);
  const go = useNav((s) => s.go);
  const [busy, setBusy] = useState(false);
  if (me?.mode !== 'team') return null;

  const everywhere = async () => {
    setBusy(true);
    try {
      await send('auth:logoutEverywhere', {});
    } finally {
      await logOut();
    }
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
          onClick={() => void everywhere().catch(() => undefined)}
          data-testid="log-out-everywhere"
        >
          Log out everywhere
        </button>
      </div>
    </details>
  );
}
