import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ApiToken, Role, User } from '../../../shared/contract/auth';

/** SQL of accounts, sessions and tokens; the rules live in auth-service.ts. */

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled: 0 | 1;
  failed_logins: number;
  locked_until_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  password_changed_at_ms: number;
  last_login_at_ms: number | null;
}

export interface SessionRow {
  id: number;
  user_id: number;
  created_at_ms: number;
  expires_at_ms: number;
  last_seen_at_ms: number;
  revoked_at_ms: number | null;
  address: string | null;
  user_agent: string | null;
}

export interface TokenRow {
  id: number;
  user_id: number;
  username: string;
  name: string;
  role: Role;
  prefix: string;
  created_at_ms: number;
  expires_at_ms: number;
  last_used_at_ms: number | null;
  revoked_at_ms: number | null;
}

/** Secrets are 32 random bytes; only their SHA-256 is stored (they are too long to guess, so no slow hash). */
export const newSecret = () => randomBytes(32).toString('base64url');
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Personal API tokens look like `fdp_<43 characters>`, so a leaked one is recognisable (secret scanners). */
export const TOKEN_PREFIX = 'fdp_';
export const isApiTokenShape = (value: string) => /^fdp_[A-Za-z0-9_-]{43}$/.test(value);

export const toToken = (row: TokenRow): ApiToken => ({
  id: row.id,
  username: row.username,
  name: row.name,
  role: row.role,
  prefix: row.prefix,
  createdAtMs: row.created_at_ms,
  expiresAtMs: row.expires_at_ms,
  lastUsedAtMs: row.last_used_at_ms,
  revokedAtMs: row.revoked_at_ms,
});

export function authRows(db: Database.Database, now: () => number) {
  const activeSessions = db
    .prepare('SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at_ms IS NULL AND expires_at_ms > ?')
    .pluck();
  const toUser = (row: UserRow): User => ({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled === 1,
    lockedUntilMs: row.locked_until_ms !== null && row.locked_until_ms > now() ? row.locked_until_ms : null,
    createdAtMs: row.created_at_ms,
    lastLoginAtMs: row.last_login_at_ms,
    activeSessions: activeSessions.get(row.id, now()) as number,
  });
  const tokenSelect = `SELECT t.id, t.user_id, u.username, t.name, t.role, t.prefix, t.created_at_ms, t.expires_at_ms,
    t.last_used_at_ms, t.revoked_at_ms FROM api_tokens t JOIN users u ON u.id = t.user_id`;

  return {
    toUser,
    teamMode: db.prepare('SELECT enabled_at_ms FROM team_mode WHERE id = 1').pluck(),
    userById: db.prepare('SELECT * FROM users WHERE id = ?'),
    userByName: db.prepare('SELECT * FROM users WHERE username = ?'),
    allUsers: db.prepare('SELECT * FROM users ORDER BY username'),
    enabledAdmins: db.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0").pluck(),
    insertUser: db.prepare(`INSERT INTO users (username, display_name, role, password_hash, created_at_ms,
      updated_at_ms, password_changed_at_ms) VALUES (@username, @displayName, @role, @hash, @now, @now, @now)`),
    updateUser: db.prepare(`UPDATE users SET role = @role, display_name = @displayName, disabled = @disabled,
      updated_at_ms = @now WHERE id = @id`),
    setPassword:
      db.prepare(`UPDATE users SET password_hash = @hash, password_changed_at_ms = @now, updated_at_ms = @now,
      failed_logins = 0, locked_until_ms = NULL WHERE id = @id`),
    rehash: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    loginFailed: db.prepare('UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?'),
    lock: db.prepare('UPDATE users SET failed_logins = 0, locked_until_ms = ? WHERE id = ?'),
    loginSucceeded: db.prepare(
      'UPDATE users SET failed_logins = 0, locked_until_ms = NULL, last_login_at_ms = ? WHERE id = ?',
    ),

    insertSession: db.prepare(`INSERT INTO sessions (user_id, token_hash, created_at_ms, expires_at_ms, last_seen_at_ms,
      address, user_agent) VALUES (@userId, @hash, @now, @expiresAtMs, @now, @address, @userAgent)`),
    sessionByHash: db.prepare(`SELECT s.id AS session_id, s.expires_at_ms AS session_expires_at_ms,
      s.last_seen_at_ms AS session_last_seen_at_ms, u.* FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = ? AND s.revoked_at_ms IS NULL`),
    touchSession: db.prepare('UPDATE sessions SET last_seen_at_ms = ? WHERE id = ?'),
    revokeSessionByHash: db.prepare(
      'UPDATE sessions SET revoked_at_ms = ? WHERE token_hash = ? AND revoked_at_ms IS NULL',
    ),
    revokeUserSessions: db.prepare(
      'UPDATE sessions SET revoked_at_ms = @now WHERE user_id = @userId AND revoked_at_ms IS NULL AND expires_at_ms > @now AND id IS NOT @keep',
    ),
    userSessions: db.prepare(
      'SELECT * FROM sessions WHERE user_id = ? AND revoked_at_ms IS NULL AND expires_at_ms > ? ORDER BY id DESC',
    ),
    // Sessions long over are of no use to anyone; kept a month for "who signed in when".
    pruneSessions: db.prepare('DELETE FROM sessions WHERE coalesce(revoked_at_ms, expires_at_ms) < ?'),

    insertToken:
      db.prepare(`INSERT INTO api_tokens (user_id, name, role, token_hash, prefix, created_at_ms, expires_at_ms)
      VALUES (@userId, @name, @role, @hash, @prefix, @now, @expiresAtMs)`),
    tokenById: db.prepare(`${tokenSelect} WHERE t.id = ?`),
    tokensOf: db.prepare(`${tokenSelect} WHERE t.user_id = ? ORDER BY t.id DESC`),
    allTokens: db.prepare(`${tokenSelect} ORDER BY t.id DESC`),
    tokenByHash: db.prepare(`SELECT t.id AS token_id, t.role AS token_role, t.expires_at_ms AS token_expires_at_ms,
      t.last_used_at_ms AS token_last_used_at_ms, u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ? AND t.revoked_at_ms IS NULL`),
    touchToken: db.prepare('UPDATE api_tokens SET last_used_at_ms = ? WHERE id = ?'),
    revokeToken: db.prepare('UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL'),
  };
}

export type AuthRows = ReturnType<typeof authRows>;
