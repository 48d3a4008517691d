import { useState } from 'react';
import { passwordSchema } from '../../../shared/contract/auth';
import { LoadError, Loaded } from '../../components/LoadError';
import { logOutEverywhere } from '../../components/UserMenu';
import { shownAsToast, useAction, useCall } from '../../data/calls';
import { useAuth, useCan } from '../../stores/auth-store';
import { TokensPanel } from './TokensPanel';
import { UsersPanel } from './UsersPanel';

const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString() : '—');

/** Team mode: your account, sessions and tokens; for admins, everyone's accounts. */
export function TeamPage() {
  const me = useAuth((s) => s.me);
  const failed = useAuth((s) => s.failed);
  const manage = useCan('auth:listUsers');
  if (!me && failed)
    return (
      <section className="page">
        <h1>Team</h1>
        <LoadError
          what="who you are signed in as"
          error={failed}
          retry={() => void useAuth.getState().reload().catch(shownAsToast)}
        />
      </section>
    );
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
  // Kept fresh by auth:changed; a failed load shows LoadError with Retry.
  const query = useCall('auth:sessions', {});
  const [busy, setBusy] = useState(false);
  const everywhere = async () => {
    setBusy(true);
    if (!(await logOutEverywhere())) setBusy(false);
  };
  return (
    <fieldset className="panel">
      <legend>Your sessions</legend>
      <Loaded query={query} what="your sessions">
        {({ sessions }) => (
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
      </Loaded>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void everywhere()} data-testid="team-log-out-everywhere">
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
  // A refusal ("The current password is wrong; nothing changed.") is a toast; what was typed stays.
  const change = useAction('auth:changePassword', {
    onSuccess: (result) => {
      setCurrent('');
      setNext('');
      setDone(`Password changed; ${result.sessionsEnded} other session(s) ended.`);
    },
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setDone(null);
    change.mutate({ current, next });
  };
  return (
    <fieldset className="panel">
      <legend>Your password</legend>
      <form className="row" onSubmit={submit}>
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
        <button type="submit" disabled={change.isPending || !current || !check.success}>
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
