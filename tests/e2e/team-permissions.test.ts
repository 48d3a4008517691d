import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/main/core/auth/permissions';
import { CALL_CHANNELS, type CallChannel } from '../../src/shared/contract';
import { ROLES, roleAtLeast, type Role } from '../../src/shared/contract/auth';
import { WS_CLOSE } from '../../src/shared/wire';
import { startConsole, type ConsoleProcess } from './console';
import {
  enableTeamMode,
  flightdeckCli,
  sessionOf,
  signIn,
  teamSocket,
  TEAM_PASSWORD,
  upgradeStatus,
  type TeamSocket,
} from './team-console';

// The built host in team mode, as `flightdeck team enable` and `npm run serve` make it: every
// channel of the contract over the real WebSocket, as each role, with real sessions and personal
// API tokens. The refusals are generated from the permission table, so a channel added to the
// contract is covered the day it is added.

const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-team-'));
let app: ConsoleProcess;
let base: string;
const sockets: TeamSocket[] = [];
const as: Partial<Record<Role, TeamSocket>> = {};

const article = (role: string) => (/^[aeiou]/.test(role) ? 'an' : 'a');
const track = (socket: TeamSocket) => (sockets.push(socket), socket);

beforeAll(async () => {
  await enableTeamMode(dataDir, 'boss');
  app = await startConsole({ dataDir });
  base = new URL(app.url).origin;
  const boss = track(await teamSocket(base, { cookie: await sessionOf(base, 'boss') }));
  as.admin = boss;
  for (const role of ROLES.filter((r) => r !== 'admin')) {
    const added = await boss.call('auth:addUser', { username: `${role}-1`, role, password: TEAM_PASSWORD });
    expect(added, role).toMatchObject({ ok: true, data: { role } });
    as[role] = track(await teamSocket(base, { cookie: await sessionOf(base, `${role}-1`) }));
  }
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('team mode over the WebSocket', () => {
  it('prints no shared token, and the shared token shape opens nothing', async () => {
    expect(app.url).not.toContain('#token=');
    expect(await upgradeStatus(base, {}, ['flightdeck.v1', `token.${'a'.repeat(64)}`])).toBe(401);
    expect(await upgradeStatus(base, {})).toBe(401);
    expect(await upgradeStatus(base, { cookie: `flightdeck_session_${new URL(base).port}=forged` })).toBe(401);
  });

  for (const role of ROLES) {
    it(`refuses every channel above ${role} with FORBIDDEN naming the role, and lets the others through`, async () => {
      const socket = as[role]!;
      const me = await socket.call('auth:me', {});
      expect(me).toMatchObject({ ok: true, data: { mode: 'team', role, via: 'session' } });
      const audited = async () => {
        const page = await socket.call('audit:list', { limit: 500 });
        return page.ok ? (page.data as { entries: unknown[] }).entries.length : -1;
      };
      const before = await audited();
      const channels = CALL_CHANNELS as readonly CallChannel[];
      // A string is never a valid argument: a permitted channel stops at VALIDATION, so nothing runs.
      const results = await Promise.all(channels.map((channel) => socket.call(channel, 'not an argument')));
      let refused = 0;
      channels.forEach((channel, i) => {
        const result = results[i]!;
        const needed = PERMISSIONS[channel];
        expect(result.ok, channel).toBe(false);
        if (result.ok) return;
        if (roleAtLeast(role, needed)) {
          expect(result.error.code, channel).toBe('VALIDATION');
          return;
        }
        refused++;
        expect(result.error, channel).toMatchObject({ code: 'FORBIDDEN', details: { needs: needed, role } });
        expect(result.error.message).toBe(`${channel} needs the ${needed} role (you are ${article(role)} ${role}).`);
      });
      expect(refused).toBe(channels.filter((c) => !roleAtLeast(role, PERMISSIONS[c])).length);
      if (role !== 'admin') expect(refused).toBeGreaterThan(0);
      expect(await audited()).toBe(before);
    });
  }

  it('holds a personal API token to its own role, below its owner’s', async () => {
    const made = await as.editor!.call('auth:createToken', { name: 'ci', role: 'viewer', days: 1 });
    expect(made.ok).toBe(true);
    const secret = (made as { data: { secret: string } }).data.secret;
    const tokenSocket = track(await teamSocket(base, { token: secret }));
    expect(await tokenSocket.call('auth:me', {})).toMatchObject({
      ok: true,
      data: { role: 'viewer', via: 'token', username: 'editor-1' },
    });
    expect(await tokenSocket.call('mappings:create', 'not an argument')).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', details: { needs: 'editor', role: 'viewer' } },
    });
    // More than the owner has: refused.
    expect(await as.editor!.call('auth:createToken', { name: 'too much', role: 'admin', days: 1 })).toMatchObject({
      ok: false,
    });
    // Revoked: the open connection ends, and the token opens nothing again.
    const id = (made as { data: { token: { id: number } } }).data.token.id;
    expect(await as.editor!.call('auth:revokeToken', { id })).toMatchObject({ ok: true });
    expect(await tokenSocket.closed).toBe(WS_CLOSE.signedOut);
    expect(await upgradeStatus(base, {}, ['flightdeck.v1', `token.${secret}`])).toBe(401);
  });

  it('ends a logged-out session at once: its connection closes and the cookie opens nothing again', async () => {
    const cookie = await sessionOf(base, 'operator-1');
    const socket = track(await teamSocket(base, { cookie }));
    expect(await socket.call('auth:me', {})).toMatchObject({ ok: true });
    const out = await fetch(new URL('/auth/logout', base), { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await socket.closed).toBe(WS_CLOSE.signedOut);
    expect(await upgradeStatus(base, { cookie })).toBe(401);
    // The operator's other session (opened in beforeAll) is untouched.
    expect(await as.operator!.call('auth:me', {})).toMatchObject({ ok: true, data: { role: 'operator' } });
  });

  it('sets an HttpOnly, SameSite=Strict session cookie that expires, and refuses a sign-in from another site', async () => {
    const answer = await signIn(base, 'viewer-1');
    expect(answer.status).toBe(200);
    expect(answer.setCookie).toMatch(
      /^flightdeck_session_\d+=[A-Za-z0-9_-]{20,}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    const foreign = await fetch(new URL('/auth/login', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ username: 'viewer-1', password: TEAM_PASSWORD }),
    });
    expect(foreign.status).toBe(403);
    // The app's page sends a browser without a session to sign in.
    const page = await fetch(new URL('/', base), { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
  });

  it('locks an account after repeated wrong passwords, even for the right one; an admin’s reset unlocks it', async () => {
    const added = await as.admin!.call('auth:addUser', { username: 'target', role: 'viewer', password: TEAM_PASSWORD });
    expect(added.ok).toBe(true);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn(base, 'target', `wrong password ${i}!`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await signIn(base, 'target');
    expect(locked.status).toBe(429);
    expect(locked.cookie).toBeNull();
    expect(locked.body.message).toMatch(/Too many failed sign-ins for this account/);
    const id = (added as { data: { id: number } }).data.id;
    expect(await as.admin!.call('auth:resetPassword', { id, password: `${TEAM_PASSWORD} 2` })).toMatchObject({
      ok: true,
    });
    expect((await signIn(base, 'target', `${TEAM_PASSWORD} 2`)).status).toBe(200);
  });

  it('keeps four eyes: the requester cannot approve their own run, and two different people must', async () => {
    // An instance nothing listens on: the approved run is queued, never delivered, in this test.
    const instance = await as.admin!.call('instances:add', {
      name: 'dev',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'team-e2e-key-1234',
      environment: 'dev',
      color: '#2f6fed',
      syncEnabled: false,
    });
    expect(instance.ok).toBe(true);
    const mapping = await as.editor!.call('mappings:create', {
      mapping: {
        event: 'refund.requested',
        instanceId: (instance as { data: { id: string } }).data.id,
        webhookPath: 'refund',
        requiresApproval: true,
        approvalPolicy: { approvers: 2, requesterMayApprove: false },
      },
    });
    expect(mapping.ok).toBe(true);
    const emitted = await as.approver!.call('ingest:emit', { event: 'refund.requested', payload: { amount: 40 } });
    expect(emitted.ok).toBe(true);
    const runId = (emitted as { data: { executionIds: number[] } }).data.executionIds[0];
    const list = await as.viewer!.call('approvals:list', { filter: { status: 'open' }, limit: 10 });
    const item = (list as { data: { items: { id: number; executionId: number | null }[] } }).data.items.find(
      (i) => i.executionId === runId,
    );
    expect(item).toBeDefined();
    const id = item!.id;

    expect(await as.approver!.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await as.editor!.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: true,
      data: { status: 'pending' },
    });
    expect(await as.editor!.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await as.admin!.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: true,
      data: { status: 'approved', decidedBy: 'boss' },
    });
    // The audit log names each person, and filters by one.
    const byEditor = await as.viewer!.call('audit:list', { limit: 50, actor: 'editor-1' });
    const actions = (byEditor as { data: { entries: { actor: string; action: string }[] } }).data.entries;
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((e) => e.actor === 'editor-1')).toBe(true);
    expect(actions.map((e) => e.action)).toContain('mapping.create');
  });

  it('changes accounts through the running console from the CLI with an admin token only', async () => {
    const viewerToken = await as.viewer!.call('auth:createToken', { name: 'cli', role: 'viewer', days: 1 });
    const adminToken = await as.admin!.call('auth:createToken', { name: 'cli', role: 'admin', days: 1 });
    const secretOf = (r: typeof viewerToken) => (r as { data: { secret: string } }).data.secret;
    const refused = await flightdeckCli(['users', 'list', '--data-dir', dataDir, '--token', secretOf(viewerToken)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/needs the admin role/);
    const listed = await flightdeckCli(['users', 'list', '--data-dir', dataDir, '--token', secretOf(adminToken)]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/approver-1\s+approver/);
    const added = await flightdeckCli(
      ['users', 'add', 'cli-made', '--role', 'viewer', '--data-dir', dataDir, '--token', secretOf(adminToken)],
      `${TEAM_PASSWORD}\n`,
    );
    expect(added.code).toBe(0);
    expect((await signIn(base, 'cli-made')).status).toBe(200);
    const audit = await as.viewer!.call('audit:list', { limit: 5, action: 'user.add' });
    // Newest first; the CLI acted as the token's owner.
    expect(audit.ok && audit.data.entries[0]).toMatchObject({ actor: 'boss', targetId: 'cli-made' });
    // No way around the console: without a token the folder is busy.
    const busy = await flightdeckCli(['users', 'list', '--data-dir', dataDir]);
    expect(busy.code).toBe(1);
  });
});
