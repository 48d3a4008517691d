import { useCallback, useEffect, useState } from 'react';
import type { SessionInfo } from '../../../shared/contract/auth';
import { passwordSchema } from '../../../shared/contract/auth';
import { api, send } from '../../api/client';
import { logOut } from '../../components/UserMenu';
import { useAuth, useCan } from '../../stores/auth-store';
import { TokensPanel } from './TokensPanel';
import { UsersPanel } from './UsersPanel';

const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString() : '—');

/** Team mode: your account, sessions and tokens; for admins, everyone's accounts. */
export function TeamPage() {
  const me = useAuth((s) => s.me);
  const manage = useCan('auth:listUsers');
  if (!me) return <p className="muted">Loading…</p>;
  if (me.mode !== 'team') {
    return (
      <section className="page">
        <h1>Team</h1>
        <p className="muted">
          This console has one operator. Switch the data folder to team mode with <code>flightdeck team enable</code>.
        </p>
      </section>
    );
  }
  return (
    <section className="page team-page" aria-labelledby="team-title">
      <h1 id="team-title">Team</h1>
      <p>
        Signed in as <strong data-testid="team-me">{me.username}</strong> <span className="role-tag">{me.role}</span>
        {me.via === 'token' ? ' (with a personal API token)' : ''}
      </p>
      <SessionsPanel />
      <PasswordPanel />
      <TokensPanel />
      {manage.ok ? (
        <UsersPanel />
      ) : (
        <p className="why-not" data-testid="users-hidden">
          Accounts of others are managed by admins. {manage.reason}
        </p>
      )}
    </section>
  );
}

function SessionsPanel() {
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const load = useCallback(() => void send('auth:sessions', {}).then((r) => setSessions(r.sessions)), []);
  useEffect(() => {
    load();
    return api.on('auth:changed', load);
  }, [load]);
  const everywhere = async () => {
    await send('auth:logoutEverywhere', {});
    await logOut();
  };
  return (
    <fieldset className="panel">
      <legend>Your sessions</legend>
      {sessions === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="table" data-testid="sessions-table">
          <thead>
            <tr>
              <th>Signed in</th>
              <th>From</th>
              <th>Last seen</th>
              <th>Ends</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>
                  {when(s.createdAtMs)}
                  {s.current ? ' (this window)' : ''}
                </td>
                <td title={s.userAgent ?? ''}>{s.address ?? '—'}</td>
                <td>{when(s.lastSeenAtMs)}</td>
                <td>{when(s.expiresAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button
          type="button"
          onClick={() => void everywhere().catch(() => undefined)}
          data-testid="team-log-out-everywhere"
        >
          Log out everywhere
        </button>
        <span className="muted">Ends every session of yours, this one too. Tokens keep working until revoked.</span>
      </div>
    </fieldset>
  );
}

function PasswordPanel() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const check = passwordSchema.safeParse(next);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const result = await send('auth:changePassword', { current, next });
    setCurrent('');
    setNext('');
    setDone(`Password changed; ${result.sessionsEnded} other session(s) ended.`);
  };
  return (
    <fieldset className="panel">
      <legend>Your password</legend>
      <form className="row" onSubmit={(e) => void submit(e).catch(() => undefined)}>
        <label className="field">
          <span>Current</span>
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label className="field">
          <span>New (12 characters or more)</span>
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            aria-invalid={next !== '' && !check.success}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        <button type="submit" disabled={!current || !check.success}>
          Change password
        </button>
        {done && (
          <span role="status" className="muted">
            {done}
          </span>
        )}
      </form>
    </fieldset>
  );
}
