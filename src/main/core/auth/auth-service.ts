import type { ApiToken, Role, SessionInfo, User } from '../../../shared/contract/auth';
import { roleAtLeast } from '../../../shared/contract/auth';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Announce, Store } from '../db/store';
import type { Logger } from '../logger';
import type { CallUser } from './actor';
import {
  authRows,
  hashSecret,
  isApiTokenShape,
  newSecret,
  toToken,
  TOKEN_PREFIX,
  type TokenRow,
  type UserRow,
} from './auth-rows';
import { ACCOUNT_FAILURES, createLoginGuard, LOCK_MS } from './login-guard';
import { createPasswordHasher, DEFAULT_COST, type ScryptCost } from './passwords';

export interface AuthOptions {
  /** How long a sign-in lasts, ms; default 12 hours (FLIGHTDECK_SESSION_HOURS on the host). */
  sessionTtlMs?: number;
  /** scrypt cost of new hashes; default OWASP's (ln 17, r 8, p 1). Tests lower it. */
  passwordCost?: ScryptCost;
}

export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
/** last_seen / last_used are written at most this often per session or token. */
const TOUCH_EVERY_MS = 60_000;
const KEEP_ENDED_SESSIONS_MS = 30 * 86_400_000;

/** What carries a caller's identity: the session cookie's secret, or a personal API token. */
export interface Credential {
  kind: 'session' | 'token';
  secret: string;
}

export type LoginOutcome =
  | { kind: 'ok'; secret: string; expiresAtMs: number; user: User }
  | { kind: 'refused'; message: string }
  | { kind: 'disabled'; message: string }
  | { kind: 'throttled'; message: string; retryAfterMs: number };

export interface LoginAttempt {
  username: string;
  password: string;
  /** The client's address (per-address throttling, and shown in the session list). */
  address: string;
  userAgent?: string | null;
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));
const lesserRole = (a: Role, b: Role): Role => (roleAtLeast(a, b) ? b : a);

/**
 * Accounts, sign-ins, sessions and personal API tokens of team mode. The host calls `login`,
 * `logout` and `resolve`; the auth:* handlers and the CLI call the rest. Every change is audited.
 */
export function createAuthService(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  options?: AuthOptions;
}) {
  const { store, logger, audit } = deps;
  const now = () => deps.clock.now();
  const rows = authRows(store.db, now);
  const hasher = createPasswordHasher(deps.options?.passwordCost ?? DEFAULT_COST);
  const guard = createLoginGuard(now);
  const sessionTtlMs = deps.options?.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const listeners = new Set<() => void>();

  /** Sessions or tokens may have stopped working: transports re-check the connections they hold. */
  const credentialsChanged = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        logger.error('A sign-out listener failed', { error });
      }
    }
  };

  const teamMode = () => rows.teamMode.get() !== undefined;

  function userRow(id: number): UserRow {
    const row = rows.userById.get(id) as UserRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No user with id ${id}.`);
    return row;
  }

  function requireTeamMode(): void {
    if (!teamMode()) {
      throw new AppError(
        'CONFLICT',
        'This console runs without team mode, so it has no accounts. Switch with `flightdeck team enable`.',
      );
    }
  }

  /** The caller's own account; the local operator (desktop app, no team mode) has none. */
  function ownAccount(user: CallUser): UserRow {
    if (user.id === null) {
      throw new AppError('CONFLICT', 'The local operator has no account: sessions and tokens belong to team mode.');
    }
    return userRow(user.id);
  }

  function record(announce: Announce, actor: string, action: string, target: string, details = {}) {
    audit.record(announce, { actor, action, targetType: 'user', targetId: target, details });
    announce('auth:changed', {});
  }

  function insertUser(
    announce: Announce,
    input: { username: string; displayName: string; role: Role },
    hash: string,
    actor: string,
  ): User {
    if (rows.userByName.get(input.username)) {
      throw new AppError('CONFLICT', `A user named ${input.username} exists already (names ignore case).`);
    }
    const id = Number(
      rows.insertUser.run({
        username: input.username,
        displayName: input.displayName || input.username,
        role: input.role,
        hash,
        now: now(),
      }).lastInsertRowid,
    );
    record(announce, actor, 'user.add', input.username, { role: input.role });
    return rows.toUser(userRow(id));
  }

  /** Ends sessions of a user (all, or all but `keep`); the caller commits. Returns how many. */
  const endSessionsOf = (userId: number, keep: number | null = null) =>
    rows.revokeUserSessions.run({ now: now(), userId, keep }).changes;

  function touch(kind: 'session' | 'token', id: number, lastMs: number) {
    if (now() - lastMs < TOUCH_EVERY_MS) return;
    try {
      store.write(() => (kind === 'session' ? rows.touchSession : rows.touchToken).run(now(), id));
    } catch (error) {
      // Bookkeeping only: a busy store must not refuse the call itself.
      logger.debug('Could not note when a credential was last used', { error });
    }
  }

  function callUser(row: UserRow, via: 'session' | 'token', credentialId: number, role: Role, expiresAtMs: number) {
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      role,
      via,
      credentialId,
      expiresAtMs,
    } satisfies CallUser;
  }

  /** Who a credential belongs to now, or null (unknown, expired, revoked, disabled, or not team mode). */
  function resolve(credential: Credential): CallUser | null {
    if (!teamMode() || credential.secret.length > 200) return null;
    const hash = hashSecret(credential.secret);
    const t = now();
    if (credential.kind === 'session') {
      const row = rows.sessionByHash.get(hash) as
        (UserRow & { session_id: number; session_expires_at_ms: number; session_last_seen_at_ms: number }) | undefined;
      if (!row || row.session_expires_at_ms <= t || row.disabled === 1) return null;
      touch('session', row.session_id, row.session_last_seen_at_ms);
      return callUser(row, 'session', row.session_id, row.role, row.session_expires_at_ms);
    }
    if (!isApiTokenShape(credential.secret)) return null;
    const row = rows.tokenByHash.get(hash) as
      | (UserRow & {
          token_id: number;
          token_role: Role;
          token_expires_at_ms: number;
          token_last_used_at_ms: number | null;
        })
      | undefined;
    if (!row || row.token_expires_at_ms <= t || row.disabled === 1) return null;
    touch('token', row.token_id, row.token_last_used_at_ms ?? 0);
    // A token never does more than its owner may do now (a demoted owner's tokens shrink too).
    return callUser(row, 'token', row.token_id, lesserRole(row.token_role, row.role), row.token_expires_at_ms);
  }

  function failAccount(row: UserRow, address: string): boolean {
    return store.write((announce) => {
      rows.loginFailed.run(row.id);
      const failures = (rows.userById.get(row.id) as UserRow).failed_logins;
      if (failures < ACCOUNT_FAILURES) return false;
      rows.lock.run(now() + LOCK_MS, row.id);
      audit.record(announce, {
        actor: 'system',
        action: 'auth.lockout',
        targetType: 'user',
        targetId: row.username,
        reason: `${ACCOUNT_FAILURES} wrong passwords in a row`,
        details: { address, lockedForMinutes: LOCK_MS / 60_000 },
      });
      announce('auth:changed', {});
      return true;
    });
  }

  async function login(attempt: LoginAttempt): Promise<LoginOutcome> {
    if (!teamMode())
      return { kind: 'refused', message: 'This console runs without team mode: there is nothing to sign in to.' };
    const { address } = attempt;
    const addressWait = guard.addressWait(address);
    if (addressWait > 0) {
      return {
        kind: 'throttled',
        retryAfterMs: addressWait,
        message: `Too many failed sign-ins from your address; try again in ${minutes(addressWait)} minutes.`,
      };
    }
    const lockedWait = (row: UserRow | undefined) =>
      row ? Math.max(0, (row.locked_until_ms ?? 0) - now()) : guard.unknownNameWait(attempt.username);
    const accountThrottled = (wait: number): LoginOutcome => ({
      kind: 'throttled',
      retryAfterMs: wait,
      message: `Too many failed sign-ins for this account; try again in ${minutes(wait)} minutes, or ask an admin to reset its password.`,
    });
    const before = rows.userByName.get(attempt.username) as UserRow | undefined;
    const waitBefore = lockedWait(before);
    if (waitBefore > 0) return accountThrottled(waitBefore);

    let ok = false;
    let stale = false;
    if (before) ({ ok, stale } = await hasher.verify(attempt.password, before.password_hash));
    else await hasher.burn(attempt.password);

    // Read again: guesses sent in parallel may have locked the account while this one was hashed.
    const row = before ? (rows.userById.get(before.id) as UserRow | undefined) : undefined;
    const waitAfter = lockedWait(row);
    if (waitAfter > 0) return accountThrottled(waitAfter);

    if (!row || !ok) {
      guard.addressFailed(address);
      if (row) failAccount(row, address);
      else guard.unknownNameFailed(attempt.username);
      logger.warn('A sign-in failed', { username: attempt.username.slice(0, 64), address });
      return { kind: 'refused', message: 'Wrong username or password.' };
    }
    if (row.disabled === 1) return { kind: 'disabled', message: 'This account is disabled; ask an admin.' };

    const fresh = stale ? await hasher.hash(attempt.password) : null;
    const secret = newSecret();
    const expiresAtMs = now() + sessionTtlMs;
    store.write((announce) => {
      if (fresh) rows.rehash.run(fresh, row.id);
      rows.loginSucceeded.run(now(), row.id);
      rows.pruneSessions.run(now() - KEEP_ENDED_SESSIONS_MS);
      rows.insertSession.run({
        userId: row.id,
        hash: hashSecret(secret),
        now: now(),
        expiresAtMs,
        address,
        userAgent: attempt.userAgent?.slice(0, 300) ?? null,
      });
      audit.record(announce, {
        actor: row.username,
        action: 'auth.login',
        targetType: 'user',
        targetId: row.username,
        details: { address },
      });
    });
    return { kind: 'ok', secret, expiresAtMs, user: rows.toUser(userRow(row.id)) };
  }

  /** Ends the session of a cookie; true when there was one. */
  function logout(secret: string): boolean {
    const user = resolve({ kind: 'session', secret });
    const ended = store.write((announce) => {
      const changes = rows.revokeSessionByHash.run(now(), hashSecret(secret)).changes;
      if (changes && user) {
        audit.record(announce, {
          actor: user.username,
          action: 'auth.logout',
          targetType: 'user',
          targetId: user.username,
        });
      }
      return changes > 0;
    });
    if (ended) credentialsChanged();
    return ended;
  }

  /** Switches the data folder to team mode and creates its first admin (the CLI; never a default password). */
  async function enableTeamMode(
    admin: { username: string; displayName?: string; password: string },
    actor: string,
  ): Promise<User> {
    if (teamMode()) throw new AppError('CONFLICT', 'This data folder is in team mode already.');
    const hash = await hasher.hash(admin.password);
    return store.write((announce) => {
      if (teamMode()) throw new AppError('CONFLICT', 'This data folder is in team mode already.');
      store.db.prepare('INSERT INTO team_mode (id, enabled_at_ms, enabled_by) VALUES (1, ?, ?)').run(now(), actor);
      audit.record(announce, {
        actor,
        action: 'team.enable',
        targetType: 'team',
        details: { firstAdmin: admin.username },
      });
      return insertUser(
        announce,
        { username: admin.username, displayName: admin.displayName ?? '', role: 'admin' },
        hash,
        actor,
      );
    });
  }

  async function addUser(
    input: { username: string; displayName: string; role: Role; password: string },
    actor: string,
  ): Promise<User> {
    requireTeamMode();
    if (rows.userByName.get(input.username)) {
      throw new AppError('CONFLICT', `A user named ${input.username} exists already (names ignore case).`);
    }
    const hash = await hasher.hash(input.password);
    return store.write((announce) => insertUser(announce, input, hash, actor));
  }

  function updateUser(
    input: { id: number; role?: Role; displayName?: string; disabled?: boolean },
    actor: string,
  ): User {
    requireTeamMode();
    const updated = store.write((announce) => {
      const row = userRow(input.id);
      const next = {
        id: row.id,
        role: input.role ?? row.role,
        displayName: input.displayName?.trim() || (input.displayName === undefined ? row.display_name : row.username),
        disabled: input.disabled === undefined ? row.disabled : input.disabled ? 1 : 0,
        now: now(),
      };
      rows.updateUser.run(next);
      if ((rows.enabledAdmins.get() as number) === 0) {
        throw new AppError('CONFLICT', `${row.username} is the last enabled admin: make someone else admin first.`);
      }
      const changed = {
        ...(next.role !== row.role ? { role: { from: row.role, to: next.role } } : {}),
        ...(next.disabled !== row.disabled ? { disabled: next.disabled === 1 } : {}),
        ...(next.displayName !== row.display_name ? { displayName: next.displayName } : {}),
      };
      const ended = next.disabled === 1 && row.disabled === 0 ? endSessionsOf(row.id) : 0;
      record(
        announce,
        actor,
        next.disabled === 1 && row.disabled === 0 ? 'user.disable' : 'user.update',
        row.username,
        {
          ...changed,
          ...(ended ? { sessionsEnded: ended } : {}),
        },
      );
      return rows.toUser(userRow(row.id));
    });
    credentialsChanged();
    return updated;
  }

  async function resetPassword(id: number, password: string, actor: string): Promise<User> {
    requireTeamMode();
    const row = userRow(id);
    const hash = await hasher.hash(password);
    const user = store.write((announce) => {
      rows.setPassword.run({ id: row.id, hash, now: now() });
      const ended = endSessionsOf(row.id);
      record(announce, actor, 'user.resetPassword', row.username, { sessionsEnded: ended, unlocked: true });
      return rows.toUser(userRow(row.id));
    });
    credentialsChanged();
    return user;
  }

  function endSessions(id: number, actor: string): { ended: number } {
    requireTeamMode();
    const row = userRow(id);
    const ended = store.write((announce) => {
      const n = endSessionsOf(row.id);
      record(announce, actor, 'user.endSessions', row.username, { sessionsEnded: n });
      return n;
    });
    credentialsChanged();
    return { ended };
  }

  async function changePassword(user: CallUser, current: string, next: string) {
    const row = ownAccount(user);
    const { ok } = await hasher.verify(current, row.password_hash);
    if (!ok) {
      // A stolen session must not become a way round the sign-in lockout.
      failAccount(row, 'password change');
      throw new AppError('VALIDATION', 'The current password is wrong; nothing changed.');
    }
    const hash = await hasher.hash(next);
    const sessionsEnded = store.write((announce) => {
      rows.setPassword.run({ id: row.id, hash, now: now() });
      const ended = endSessionsOf(row.id, user.via === 'session' ? user.credentialId : null);
      record(announce, user.username, 'user.changePassword', row.username, { sessionsEnded: ended });
      return ended;
    });
    credentialsChanged();
    return { changed: true as const, sessionsEnded };
  }

  function sessions(user: CallUser): SessionInfo[] {
    const row = ownAccount(user);
    return (rows.userSessions.all(row.id, now()) as import('./auth-rows').SessionRow[]).map((s) => ({
      id: s.id,
      createdAtMs: s.created_at_ms,
      expiresAtMs: s.expires_at_ms,
      lastSeenAtMs: s.last_seen_at_ms,
      address: s.address,
      userAgent: s.user_agent,
      current: user.via === 'session' && user.credentialId === s.id,
    }));
  }

  function logoutEverywhere(user: CallUser): { ended: number } {
    const row = ownAccount(user);
    const ended = store.write((announce) => {
      const n = endSessionsOf(row.id);
      record(announce, user.username, 'auth.logoutEverywhere', row.username, { sessionsEnded: n });
      return n;
    });
    credentialsChanged();
    return { ended };
  }

  function listTokens(user: CallUser, all: boolean): ApiToken[] {
    if (all) {
      if (!roleAtLeast(user.role, 'admin'))
        throw new AppError('FORBIDDEN', 'Listing everyone’s tokens needs the admin role.');
      requireTeamMode();
      return (rows.allTokens.all() as TokenRow[]).map(toToken);
    }
    return (rows.tokensOf.all(ownAccount(user).id) as TokenRow[]).map(toToken);
  }

  function createToken(user: CallUser, input: { name: string; role: Role; days: number }) {
    const row = ownAccount(user);
    if (user.via === 'token') {
      throw new AppError('FORBIDDEN', 'Tokens are created by a signed-in person, not by another token.');
    }
    if (!roleAtLeast(user.role, input.role)) {
      throw new AppError('FORBIDDEN', `A token may do at most what you may: you are ${user.role}, not ${input.role}.`);
    }
    const secret = TOKEN_PREFIX + newSecret();
    const token = store.write((announce) => {
      const id = Number(
        rows.insertToken.run({
          userId: row.id,
          name: input.name,
          role: input.role,
          hash: hashSecret(secret),
          prefix: secret.slice(0, 12),
          now: now(),
          expiresAtMs: now() + input.days * 86_400_000,
        }).lastInsertRowid,
      );
      record(announce, user.username, 'token.create', row.username, {
        tokenId: id,
        name: input.name,
        role: input.role,
        days: input.days,
      });
      return toToken(rows.tokenById.get(id) as TokenRow);
    });
    return { token, secret };
  }

  function revokeToken(user: CallUser, id: number): ApiToken {
    const existing = rows.tokenById.get(id) as TokenRow | undefined;
    const mine = existing && user.id !== null && existing.user_id === user.id;
    if (!existing || (!mine && !roleAtLeast(user.role, 'admin')))
      throw new AppError('NOT_FOUND', `No token with id ${id} of yours.`);
    const token = store.write((announce) => {
      if (!rows.revokeToken.run(now(), id).changes) {
        throw new AppError('CONFLICT', `Token ${existing.name} was revoked already.`);
      }
      record(announce, user.username, 'token.revoke', existing.username, { tokenId: id, name: existing.name });
      return toToken(rows.tokenById.get(id) as TokenRow);
    });
    credentialsChanged();
    return token;
  }

  return {
    teamMode,
    sessionTtlMs,
    login,
    logout,
    resolve,
    /** Called after anything that may end a session or token; returns the unsubscribe. */
    onCredentialsChanged(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    enableTeamMode,
    listUsers: (): User[] => {
      requireTeamMode();
      return (rows.allUsers.all() as UserRow[]).map(rows.toUser);
    },
    findUser: (username: string): User | null => {
      const row = rows.userByName.get(username) as UserRow | undefined;
      return row ? rows.toUser(row) : null;
    },
    addUser,
    updateUser,
    resetPassword,
    endSessions,
    changePassword,
    sessions,
    logoutEverywhere,
    listTokens,
    createToken,
    revokeToken,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
