import { useCallback, useEffect, useState } from 'react';
import { ROLES, roleAtLeast, type ApiToken, type Role } from '../../../shared/contract/auth';
import { api, send } from '../../api/client';
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
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState('30');
  const [fresh, setFresh] = useState<{ name: string; secret: string } | null>(null);

  const load = useCallback(() => void send('auth:listTokens', { all }).then((r) => setTokens(r.tokens)), [all]);
  useEffect(() => {
    load();
    return api.on('auth:changed', load);
  }, [load]);

  const mayCreate = me?.via !== 'token';
  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    const created = await send('auth:createToken', { name: name.trim(), role, days: Number(days) });
    setFresh({ name: created.token.name, secret: created.secret });
    setName('');
    load();
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
      <form className="row" onSubmit={(e) => void create(e).catch(() => undefined)}>
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
          disabled={!mayCreate || !name.trim() || !daysOk}
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
      {tokens && tokens.length > 0 && (
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
                    <button
                      type="button"
                      onClick={() =>
                        void send('auth:revokeToken', { id: t.id })
                          .then(load)
                          .catch(() => undefined)
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </fieldset>
  );
}
