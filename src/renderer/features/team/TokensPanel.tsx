import { useState } from 'react';
import { ROLES, roleAtLeast, type Role } from '../../../shared/contract/auth';
import { Loaded } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { useAuth, useCan } from '../../stores/auth-store';

const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString() : 'never');

/**
 * Personal API tokens for scripts and the CLI (`Authorization: Bearer fdp_…` on the WebSocket):
 * scoped to a role at most yours, with an expiry; the secret is shown once.
 */
export function TokensPanel() {
  const me = useAuth((s) => s.me);
  const everyone = useCan('auth:listUsers');
  const [all, setAll] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState('30');
  const [fresh, setFresh] = useState<{ name: string; secret: string } | null>(null);

  // Kept fresh by auth:changed; a failed load shows LoadError with Retry.
  const query = useCall('auth:listTokens', { all });
  // Refusals are toasts in the core's words; the form keeps what was typed.
  const createToken = useAction('auth:createToken', {
    onSuccess: (created) => {
      setFresh({ name: created.token.name, secret: created.secret });
      setName('');
    },
  });
  const revoke = useAction('auth:revokeToken');

  const mayCreate = me?.via !== 'token';
  const create = (event: React.FormEvent) => {
    event.preventDefault();
    createToken.mutate({ name: name.trim(), role, days: Number(days) });
  };

  const roles = ROLES.filter((r) => me && roleAtLeast(me.role, r));
  const daysOk = Number.isInteger(Number(days)) && Number(days) >= 1 && Number(days) <= 365;
  return (
    <fieldset className="panel" data-testid="tokens-panel">
      <legend>Personal API tokens</legend>
      <p className="muted">
        For scripts and <code>flightdeck users …</code>: send <code>Authorization: Bearer &lt;token&gt;</code> on the
        WebSocket at <code>/api</code>. A token may do at most what its role allows, and never more than you.
      </p>
      {fresh && (
        <div role="status" data-testid="token-secret-box">
          <p>
            Copy the token <strong>{fresh.name}</strong> now: it is shown only this once.
          </p>
          <p className="secret-once" data-testid="token-secret">
            {fresh.secret}
          </p>
          <button type="button" onClick={() => setFresh(null)}>
            Done, I have copied it
          </button>
        </div>
      )}
      <form className="row" onSubmit={create}>
        <label className="field">
          <span>Name</span>
          <input value={name} maxLength={80} onChange={(e) => setName(e.target.value)} data-testid="token-name" />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="token-role">
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Days</span>
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        <button
          type="submit"
          disabled={createToken.isPending || !mayCreate || !name.trim() || !daysOk}
          title={mayCreate ? undefined : 'Tokens are created by a signed-in person, not by another token.'}
          data-testid="token-create"
        >
          Create token
        </button>
      </form>
      {everyone.ok && (
        <label className="radio">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="tokens-all" />
          Everyone’s tokens
        </label>
      )}
      <Loaded query={query} what="the tokens">
        {({ tokens }) =>
          tokens.length > 0 && (
            <table className="table" data-testid="tokens-table">
              <thead>
                <tr>
                  <th>Name</th>
                  {all && <th>Owner</th>}
                  <th>Role</th>
                  <th>Starts with</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id} data-testid={`token-${t.name}`}>
                    <td>{t.name}</td>
                    {all && <td>{t.username}</td>}
                    <td>{t.role}</td>
                    <td>
                      <code>{t.prefix}…</code>
                    </td>
                    <td>{new Date(t.expiresAtMs).toLocaleDateString()}</td>
                    <td>{when(t.lastUsedAtMs)}</td>
                    <td>
                      {t.revokedAtMs ? (
                        <span className="muted">revoked</span>
                      ) : (
                        <button type="button" onClick={() => revoke.mutate({ id: t.id })}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </fieldset>
  );
}
