import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, teamCore } from '../testing/team-kit';
import { testCore } from '../testing/test-core';
import { ACCOUNT_FAILURES, ADDRESS_FAILURES, LOCK_MS } from './login-guard';
import { DEFAULT_SESSION_TTL_MS } from './auth-service';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function team() {
  const t = await teamCore();
  cleanups.push(t.cleanup);
  return t;
}

const wrong = { password: 'not the password at all', address: '10.0.0.1' };

describe('sign-in and sessions', () => {
  it('signs in with the right password only, and the session resolves to the account and role', async () => {
    const t = await team();
    await t.member('ana', 'operator');
    expect(await t.auth.login({ username: 'ana', ...wrong })).toEqual({
      kind: 'refused',
      message: 'Wrong username or password.',
    });
    const ok = await t.auth.login({ username: 'ANA', password: PASSWORD, address: '10.0.0.1' });
    expect(ok).toMatchObject({ kind: 'ok', user: { username: 'ana', role: 'operator' } });
    if (ok.kind !== 'ok') return;
    expect(t.auth.resolve({ kind: 'session', secret: ok.secret })).toMatchObject({
      username: 'ana',
      role: 'operator',
      via: 'session',
    });
    // Only the secret's hash is stored: a copy of the store opens no session.
    const db = new Database(join(t.dataDir, 'flightdeck.sqlite'), { readonly: true });
    const hashes = db.prepare('SELECT token_hash FROM sessions').pluck().all() as string[];
    db.close();
    expect(hashes).toContain(createHash('sha256').update(ok.secret).digest('hex'));
    expect(JSON.stringify(hashes)).not.toContain(ok.secret);
    const audit = await t.boss.call('audit:list', { limit: 50, action: 'auth.login' });
    expect(audit.ok && audit.data.entries.map((e) => e.actor)).toContain('ana');
  });

  it('ends a session when it expires: resolve fails and a WebSocket call is UNAUTHORIZED', async () => {
    const t = await team();
    const ana = await t.member('ana', 'viewer');
    const user = ana.user();
    t.clock.advance(DEFAULT_SESSION_TTL_MS - 1_000);
    expect(t.auth.resolve({ kind: 'session', secret: ana.secret })).not.toBeNull();
    t.clock.advance(2_000);
    expect(t.auth.resolve({ kind: 'session', secret: ana.secret })).toBeNull();
    // Without a user the WebSocket transport gets nothing in team mode.
    expect(await t.core.invoke('app:status', {}, { transport: 'ws' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    expect(user.expiresAtMs).toBe(t.clock.now() - 1_000);
  });

  it('revokes: log out one session, log out everywhere, a password reset and a disabled account end sessions', async () => {
    const t = await team();
    const ana = await t.member('ana', 'approver');
    const second = await t.signIn('ana');
    const changes: number[] = [];
    t.auth.onCredentialsChanged(() => changes.push(1));

    expect(t.auth.logout(ana.secret)).toBe(true);
    expect(t.auth.resolve({ kind: 'session', secret: ana.secret })).toBeNull();
    expect(t.auth.resolve({ kind: 'session', secret: second.secret })).not.toBeNull();
    expect(changes.length).toBe(1);

    const third = await t.signIn('ana');
    expect(await third.call('auth:logoutEverywhere', {})).toEqual({ ok: true, data: { ended: 2 } });
    expect(t.auth.resolve({ kind: 'session', secret: second.secret })).toBeNull();
    expect(t.auth.resolve({ kind: 'session', secret: third.secret })).toBeNull();

    const fourth = await t.signIn('ana');
    const id = t.auth.findUser('ana')!.id;
    expect(await t.boss.call('auth:resetPassword', { id, password: `${PASSWORD}!` })).toMatchObject({ ok: true });
    expect(t.auth.resolve({ kind: 'session', secret: fourth.secret })).toBeNull();
    expect(await t.auth.login({ username: 'ana', password: PASSWORD, address: '1.1.1.1' })).toMatchObject({
      kind: 'refused',
    });

    const fifth = await t.auth.login({ username: 'ana', password: `${PASSWORD}!`, address: '1.1.1.1' });
    expect(fifth.kind).toBe('ok');
    expect(await t.boss.call('auth:updateUser', { id, disabled: true })).toMatchObject({
      ok: true,
      data: { disabled: true, activeSessions: 0 },
    });
    if (fifth.kind === 'ok') expect(t.auth.resolve({ kind: 'session', secret: fifth.secret })).toBeNull();
    expect(await t.auth.login({ username: 'ana', password: `${PASSWORD}!`, address: '1.1.1.1' })).toEqual({
      kind: 'disabled',
      message: 'This account is disabled; ask an admin.',
    });
    const actions = await t.boss.call('audit:list', { limit: 100, targetType: 'user', targetId: 'ana' });
    expect(actions.ok && actions.data.entries.map((e) => `${e.actor} ${e.action}`)).toEqual(
      expect.arrayContaining([
        'boss user.disable',
        'boss user.resetPassword',
        'ana auth.logoutEverywhere',
        'ana auth.logout',
      ]),
    );
  });

  it('changing one’s password needs the current one and ends the other sessions', async () => {
    const t = await team();
    const ana = await t.member('ana', 'viewer');
    const other = await t.signIn('ana');
    expect(await ana.call('auth:changePassword', { current: 'wrong wrong wrong', next: `${PASSWORD}?` })).toMatchObject(
      {
        ok: false,
        error: { code: 'VALIDATION' },
      },
    );
    expect(await ana.call('auth:changePassword', { current: PASSWORD, next: `${PASSWORD}?` })).toEqual({
      ok: true,
      data: { changed: true, sessionsEnded: 1 },
    });
    expect(t.auth.resolve({ kind: 'session', secret: ana.secret })).not.toBeNull();
    expect(t.auth.resolve({ kind: 'session', secret: other.secret })).toBeNull();
  });

  it('keeps the last enabled admin', async () => {
    const t = await team();
    const id = t.auth.findUser('boss')!.id;
    for (const patch of [{ role: 'editor' as const }, { disabled: true }]) {
      expect(await t.boss.call('auth:updateUser', { id, ...patch })).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT', message: expect.stringContaining('last enabled admin') },
      });
    }
    expect(t.auth.findUser('boss')).toMatchObject({ role: 'admin', disabled: false });
  });
});

describe('lockout', () => {
  it(`locks an account after ${ACCOUNT_FAILURES} wrong passwords, even for the right one, until ${LOCK_MS / 60_000} minutes pass or an admin resets it`, async () => {
    const t = await team();
    await t.member('ana', 'viewer');
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      expect((await t.auth.login({ username: 'ana', ...wrong, address: `10.0.0.${i}` })).kind).toBe('refused');
    }
    const locked = await t.auth.login({ username: 'ana', password: PASSWORD, address: '10.9.9.9' });
    expect(locked).toMatchObject({ kind: 'throttled', retryAfterMs: LOCK_MS });
    expect(t.auth.findUser('ana')?.lockedUntilMs).toBe(t.clock.now() + LOCK_MS);
    const lockouts = await t.boss.call('audit:list', { limit: 10, action: 'auth.lockout' });
    expect(lockouts.ok && lockouts.data.entries).toHaveLength(1);

    t.clock.advance(LOCK_MS);
    expect((await t.auth.login({ username: 'ana', password: PASSWORD, address: '10.9.9.9' })).kind).toBe('ok');

    for (let i = 0; i < ACCOUNT_FAILURES; i++) await t.auth.login({ username: 'ana', ...wrong, address: '10.1.1.1' });
    expect((await t.auth.login({ username: 'ana', password: PASSWORD, address: '10.9.9.9' })).kind).toBe('throttled');
    await t.boss.call('auth:resetPassword', { id: t.auth.findUser('ana')!.id, password: PASSWORD });
    expect((await t.auth.login({ username: 'ana', password: PASSWORD, address: '10.9.9.9' })).kind).toBe('ok');
  });

  it('answers a name without an account exactly like a real one (no way to tell which names exist)', async () => {
    const t = await team();
    await t.member('ana', 'viewer');
    const real: string[] = [];
    const ghost: string[] = [];
    for (let i = 0; i <= ACCOUNT_FAILURES; i++) {
      real.push((await t.auth.login({ username: 'ana', ...wrong, address: `10.0.1.${i}` })).kind);
      ghost.push((await t.auth.login({ username: 'nobody', ...wrong, address: `10.0.2.${i}` })).kind);
    }
    expect(ghost).toEqual(real);
    expect(real.at(-1)).toBe('throttled');
  });

  it(`blocks an address after ${ADDRESS_FAILURES} failures whatever names it tries; other addresses still sign in`, async () => {
    const t = await team();
    await t.member('ana', 'viewer');
    for (let i = 0; i < ADDRESS_FAILURES; i++) {
      await t.auth.login({ username: `guess${i}`, password: 'nope nope nope', address: '203.0.113.9' });
    }
    expect(await t.auth.login({ username: 'ana', password: PASSWORD, address: '203.0.113.9' })).toMatchObject({
      kind: 'throttled',
      message: expect.stringContaining('from your address'),
    });
    expect((await t.auth.login({ username: 'ana', password: PASSWORD, address: '203.0.113.10' })).kind).toBe('ok');
    t.clock.advance(LOCK_MS);
    expect((await t.auth.login({ username: 'ana', password: PASSWORD, address: '203.0.113.9' })).kind).toBe('ok');
  });
});

describe('personal API tokens', () => {
  it('scopes a token to a role at most its owner’s, shows the secret once, and records its last use', async () => {
    const t = await team();
    const ed = await t.member('ed', 'editor');
    expect(await ed.call('auth:createToken', { name: 'ci', role: 'admin', days: 30 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const created = await ed.call('auth:createToken', { name: 'ci', role: 'operator', days: 30 });
    if (!created.ok) throw new Error(created.error.message);
    const { secret, token } = created.data;
    expect(secret).toMatch(/^fdp_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ username: 'ed', role: 'operator', prefix: secret.slice(0, 12), lastUsedAtMs: null });
    const listed = await ed.call('auth:listTokens', {});
    expect(JSON.stringify(listed)).not.toContain(secret);

    const asToken = t.auth.resolve({ kind: 'token', secret });
    expect(asToken).toMatchObject({ username: 'ed', role: 'operator', via: 'token' });
    const call = (channel: 'mappings:create' | 'queue:pause', input: never) =>
      t.core.invoke(channel, input, { transport: 'ws', user: t.auth.resolve({ kind: 'token', secret })! });
    expect(await call('mappings:create', {} as never)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call('queue:pause', 'x' as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const used = await ed.call('auth:listTokens', {});
    expect(used.ok && used.data.tokens[0]?.lastUsedAtMs).toBe(t.clock.now());

    // A token cannot mint tokens.
    expect(
      await t.core.invoke(
        'auth:createToken',
        { name: 'x', role: 'viewer', days: 1 },
        { transport: 'ws', user: asToken! },
      ),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // A demoted owner's token shrinks with them; a revoked or expired one stops.
    await t.boss.call('auth:updateUser', { id: t.auth.findUser('ed')!.id, role: 'viewer' });
    expect(t.auth.resolve({ kind: 'token', secret })?.role).toBe('viewer');
    expect(await ed.call('auth:revokeToken', { id: token.id })).toMatchObject({
      ok: true,
      data: { revokedAtMs: t.clock.now() },
    });
    expect(t.auth.resolve({ kind: 'token', secret })).toBeNull();

    const short = await ed.call('auth:createToken', { name: 'short', role: 'viewer', days: 1 });
    if (!short.ok) throw new Error(short.error.message);
    t.clock.advance(86_400_000);
    expect(t.auth.resolve({ kind: 'token', secret: short.data.secret })).toBeNull();
  });

  it('lets only an admin list or revoke someone else’s tokens', async () => {
    const t = await team();
    const ana = await t.member('ana', 'operator');
    const bob = await t.member('bob', 'operator');
    const created = await ana.call('auth:createToken', { name: 'script', role: 'viewer', days: 7 });
    if (!created.ok) throw new Error(created.error.message);
    expect(await bob.call('auth:revokeToken', { id: created.data.token.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await bob.call('auth:listTokens', { all: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const all = await t.boss.call('auth:listTokens', { all: true });
    expect(all.ok && all.data.tokens.map((x) => x.username)).toEqual(['ana']);
    expect(await t.boss.call('auth:revokeToken', { id: created.data.token.id })).toMatchObject({ ok: true });
  });
});

describe('attribution', () => {
  it('records the signed-in user as the actor of what they do, and the audit view filters by user', async () => {
    const t = await team();
    const ana = await t.member('ana', 'admin');
    await ana.call('settings:update', { patch: { retentionDays: 9 } });
    await t.boss.call('settings:update', { patch: { retentionDays: 10 } });
    const mine = await t.boss.call('audit:list', { limit: 10, actor: 'ana', action: 'settings.update' });
    expect(mine.ok && mine.data.entries).toHaveLength(1);
    const boss = await t.boss.call('audit:list', { limit: 10, actor: 'boss', action: 'settings.update' });
    expect(boss.ok && boss.data.entries).toHaveLength(1);
    // An in-process caller (the desktop shell on a team folder) is the local operator, named by the setting.
    const viaCore = await t.core.call('settings:update', { patch: { retentionDays: 11 } });
    const local = await t.boss.call('audit:list', { limit: 1, action: 'settings.update' });
    expect(local.ok && local.data.entries[0]?.actor).toBe(viaCore.ok && viaCore.data.operatorName);
  });

  it('answers auth:me with the mode, the role and what each channel needs', async () => {
    const t = await team();
    const ana = await t.member('ana', 'approver');
    const me = await ana.call('auth:me', {});
    expect(me).toMatchObject({
      ok: true,
      data: { mode: 'team', username: 'ana', role: 'approver', via: 'session' },
    });
    expect(me.ok && me.data.needs['approvals:decide']).toBe('approver');
  });
});

describe('without team mode', () => {
  it('is one local operator with every permission; accounts are refused with how to switch', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const me = await t.core.call('auth:me', {});
    expect(me).toMatchObject({ ok: true, data: { mode: 'single', role: 'admin', via: 'local' } });
    expect(await t.core.invoke('settings:update', { patch: { retentionDays: 5 } }, { transport: 'ws' })).toMatchObject({
      ok: true,
    });
    expect(await t.core.call('auth:listUsers', {})).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('flightdeck team enable') },
    });
    expect(await t.core.call('auth:createToken', { name: 'x', role: 'viewer', days: 1 })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await t.core.auth?.login({ username: 'a', password: 'b', address: 'x' })).toMatchObject({ kind: 'refused' });
  });
});
