import { useCallback, useEffect, useState } from 'react';
import { passwordSchema, ROLES, usernameSchema, type Role, type User } from '../../../shared/contract/auth';
import { api, send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';

const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString() : 'never');

function state(user: User): string {
  if (user.disabled) return 'disabled';
  if (user.lockedUntilMs) return `locked until ${new Date(user.lockedUntilMs).toLocaleTimeString()}`;
  return user.activeSessions ? `${user.activeSessions} session(s)` : 'signed out';
}

/** Admins: everyone's account — add, change role, disable, reset a password, end sessions. */
export function UsersPanel() {
  const [users, setUsers] = useState<User[] | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [disabling, setDisabling] = useState<User | null>(null);
  const load = useCallback(() => void send('auth:listUsers', {}).then((r) => setUsers(r.users)), []);
  useEffect(() => {
    load();
    return api.on('auth:changed', load);
  }, [load]);

  const update = (id: number, patch: { role?: Role; disabled?: boolean }) =>
    void send('auth:updateUser', { id, ...patch })
      .then(load)
      .catch(() => undefined);

  return (
    <fieldset className="panel" data-testid="users-panel">
      <legend>Users</legend>
      <AddUser onAdded={load} />
      {users && (
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>State</th>
              <th>Last sign-in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid={`user-${u.username}`}>
                <td>
                  {u.username}
                  {u.displayName !== u.username ? <span className="muted"> ({u.displayName})</span> : null}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${u.username}`}
                    value={u.role}
                    onChange={(e) => update(u.id, { role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{state(u)}</td>
                <td>{when(u.lastLoginAtMs)}</td>
                <td className="row">
                  <button type="button" onClick={() => setResetting(u)}>
                    Reset password
                  </button>
                  <button
                    type="button"
                    disabled={u.activeSessions === 0}
                    onClick={() =>
                      void send('auth:endSessions', { id: u.id })
                        .then(load)
                        .catch(() => undefined)
                    }
                  >
                    End sessions
                  </button>
                  {u.disabled ? (
                    <button type="button" onClick={() => update(u.id, { disabled: false })}>
                      Enable
                    </button>
                  ) : (
                    <button type="button" onClick={() => setDisabling(u)} data-testid={`disable-${u.username}`}>
                      Disable
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {resetting && <ResetPassword user={resetting} onClose={() => setResetting(null)} />}
      {disabling && (
        <ConfirmDialog
          title={`Disable ${disabling.username}?`}
          confirmLabel="Disable"
          danger
          onCancel={() => setDisabling(null)}
          onConfirm={() => {
            update(disabling.id, { disabled: true });
            setDisabling(null);
          }}
        >
          Their sessions end at once and their tokens stop working. You can enable the account again later.
        </ConfirmDialog>
      )}
    </fieldset>
  );
}

function AddUser({ onAdded }: { onAdded(): void }) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const name = usernameSchema.safeParse(username);
  const pass = passwordSchema.safeParse(password);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    await send('auth:addUser', { username, role, password, displayName: '' });
    setUsername('');
    setPassword('');
    onAdded();
  };
  return (
    <form className="row" onSubmit={(e) => void submit(e).catch(() => undefined)} data-testid="add-user">
      <label className="field">
        <span>New user</span>
        <input
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          aria-invalid={username !== '' && !name.success}
          data-testid="add-user-name"
        />
      </label>
      <label className="field">
        <span>Role</span>
        <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="add-user-role">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>First password (12+ characters)</span>
        <input
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={password !== '' && !pass.success}
          data-testid="add-user-password"
        />
      </label>
      <button type="submit" disabled={!name.success || !pass.success} data-testid="add-user-submit">
        Add user
      </button>
    </form>
  );
}

function ResetPassword({ user, onClose }: { user: User; onClose(): void }) {
  const [password, setPassword] = useState('');
  const ok = passwordSchema.safeParse(password).success;
  return (
    <ConfirmDialog
      title={`New password for ${user.username}`}
      confirmLabel="Set password"
      onCancel={onClose}
      onConfirm={() => {
        if (!ok) return;
        void send('auth:resetPassword', { id: user.id, password })
          .then(onClose)
          .catch(() => undefined);
      }}
    >
      <p>It also unlocks the account and signs them out everywhere. Tell them the new password in person.</p>
      <label className="field">
        <span>Password (12+ characters)</span>
        <input
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
    </ConfirmDialog>
  );
}
