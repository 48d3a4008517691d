import { useState } from 'react';
import { passwordSchema, ROLES, usernameSchema, type Role, type User } from '../../../shared/contract/auth';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Loaded } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';

const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString() : 'never');

function state(user: User): string {
  if (user.disabled) return 'disabled';
  if (user.lockedUntilMs) return `locked until ${new Date(user.lockedUntilMs).toLocaleTimeString()}`;
  return user.activeSessions ? `${user.activeSessions} session(s)` : 'signed out';
}

/** Admins: everyone's account — add, change role, disable, reset a password, end sessions. */
export function UsersPanel() {
  // Kept fresh by auth:changed; a failed load shows LoadError with Retry.
  const query = useCall('auth:listUsers', {});
  const [resetting, setResetting] = useState<User | null>(null);
  const [disabling, setDisabling] = useState<User | null>(null);
  // Failures are toasts in the core's words ("boss is the last enabled admin: make someone else
  // admin first."); the role select shows the stored role again since it follows the list.
  const updateUser = useAction('auth:updateUser');
  const endSessions = useAction('auth:endSessions');
  const update = (id: number, patch: { role?: Role; disabled?: boolean }) => updateUser.mutate({ id, ...patch });

  return (
    <fieldset className="panel" data-testid="users-panel">
      <legend>Users</legend>
      <AddUser />
      <Loaded query={query} what="the users">
        {({ users }) => (
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
                      onClick={() => endSessions.mutate({ id: u.id })}
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
      </Loaded>
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

function AddUser() {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const name = usernameSchema.safeParse(username);
  const pass = passwordSchema.safeParse(password);
  // A refusal (the name is taken) is a toast; the form keeps what was typed so it can be fixed.
  const add = useAction('auth:addUser', {
    onSuccess: () => {
      setUsername('');
      setPassword('');
    },
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    add.mutate({ username, role, password, displayName: '' });
  };
  return (
    <form className="row" onSubmit={submit} data-testid="add-user">
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
      <button type="submit" disabled={add.isPending || !name.success || !pass.success} data-testid="add-user-submit">
        Add user
      </button>
    </form>
  );
}

function ResetPassword({ user, onClose }: { user: User; onClose(): void }) {
  const [password, setPassword] = useState('');
  const ok = passwordSchema.safeParse(password).success;
  // Said inside the dialog: a toast would sit behind its backdrop.
  const reset = useAction('auth:resetPassword', { quiet: true, onSuccess: onClose });
  return (
    <ConfirmDialog
      title={`New password for ${user.username}`}
      confirmLabel="Set password"
      onCancel={onClose}
      onConfirm={() => {
        if (ok && !reset.isPending) reset.mutate({ id: user.id, password });
      }}
    >
      <p>It also unlocks the account and signs them out everywhere. Tell them the new password in person.</p>
      {reset.error && (
        <p role="alert" className="why-not" data-testid="reset-password-error">
          The password was not changed: {reset.error.message}
        </p>
      )}
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
