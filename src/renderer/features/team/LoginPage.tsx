import { useState } from 'react';
import { useTheme } from '../../use-theme';

/** The host's answer to POST /auth/login. */
interface LoginAnswer {
  ok: boolean;
  message?: string;
}

/**
 * Team mode's sign-in, served by the host at /login before the console. The password goes to
 * POST /auth/login (never stored here); the host answers with an HttpOnly session cookie that
 * the console's WebSocket then carries.
 */
export function LoginPage() {
  // No settings can be read before signing in: follow the system's light or dark.
  useTheme('system');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const answer = await fetch('/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: username.trim(), password }),
        cache: 'no-store',
      });
      const body = (await answer.json().catch(() => ({ ok: false }))) as LoginAnswer;
      if (answer.ok && body.ok) {
        location.assign('/');
        return;
      }
      setPassword('');
      setProblem(body.message ?? `The console answered ${answer.status}; try again.`);
    } catch {
      setProblem('Cannot reach the console; check that it is running.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" data-app-state="login">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Flightdeck</h1>
        <p className="muted">This console runs in team mode: each person signs in with their own account.</p>
        <label className="field">
          <span>User name</span>
          <input
            autoComplete="username"
            autoFocus
            required
            maxLength={64}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            data-testid="login-username"
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            maxLength={256}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
          />
        </label>
        {problem && (
          <p className="login-error" role="alert" data-testid="login-error">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || !username || !password} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          No account? An admin adds people under Team, or with <code>flightdeck users add</code>.
        </p>
      </form>
    </main>
  );
}
