import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock';
import { loadOrCreateIngestSecret } from '../ingest/ingest-secret';
import { sign } from '../ingest/signature';
import { silentLogger } from '../logger';
import { teamCore } from '../testing/team-kit';
import { testCore } from '../testing/test-core';

// Issue #19 "allowed approvers or role": a wait registered through POST /approvals (as the n8n
// node "Flightdeck: Request Approval" makes it) names who may decide it; in team mode anyone else
// is refused with FORBIDDEN and nothing changes. Without team mode one operator decides everything.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** POST /approvals, signed with the console's ingest secret, for an instance added as `admin`. */
async function registrar(
  core: { call: (channel: 'ingest:info', input: object) => Promise<{ ok: boolean; data?: { url: string | null } }> },
  dataDir: string,
  instanceId: string,
) {
  const info = await core.call('ingest:info', {});
  const url = info.data?.url;
  if (!url) throw new Error('ingest door is off');
  const secret = loadOrCreateIngestSecret(dataDir, silentLogger);
  let next = 100;
  return async (body: Record<string, unknown>) => {
    const executionId = String(next++);
    const raw = JSON.stringify({
      instanceId,
      executionId,
      resumeUrl: `http://127.0.0.1:9/webhook-waiting/${executionId}`,
      summary: 'Refund 40 EUR',
      source: 'flightdeck-node',
      ...body,
    });
    const t = Date.now();
    const res = await fetch(`${url}/approvals`, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-flightdeck-timestamp': String(t),
        'x-flightdeck-signature': sign(secret, t, raw),
      },
    });
    return { status: res.status, body: (await res.json()) as { id?: number; error?: { message: string } } };
  };
}

const instance = {
  name: 'dev',
  baseUrl: 'http://127.0.0.1:9',
  apiKey: 'allowed-deciders-key',
  environment: 'dev',
  color: '#2f6fed',
  syncEnabled: false,
};

describe('allowed approvers or role (team mode)', () => {
  it('only the named users, or accounts with at least the role, may decide; others get FORBIDDEN and nothing changes', async () => {
    const t = await teamCore({ clock: systemClock, ingestPort: 0 });
    cleanups.push(t.cleanup);
    const added = await t.boss.call('instances:add', instance);
    if (!added.ok) throw new Error(added.error.message);
    const register = await registrar(t.core as never, t.dataDir, added.data.id);
    const ana = await t.member('ana', 'approver');
    const bob = await t.member('bob', 'approver');
    const eve = await t.member('eve', 'editor');

    const named = await register({ allowed: { users: ['Ana'] } });
    expect(named.status).toBe(201);
    const id = named.body.id!;
    const shown = await bob.call('approvals:get', { id });
    expect(shown.ok && shown.data.item.allowed).toEqual({ users: ['Ana'], role: null });

    const refused = await bob.call('approvals:decide', { id, decision: 'approve' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/^Only Ana may decide "Refund 40 EUR".*you are bob/) },
    });
    // The boss (admin) is not named either: the workflow's word holds.
    expect(await t.boss.call('approvals:decide', { id, decision: 'reject', comment: 'no' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // Bulk decisions refuse the item alone.
    const bulk = await bob.call('approvals:decideMany', { ids: [id], decision: 'approve' });
    expect(bulk.ok && bulk.data).toMatchObject({ decided: 0, refused: 1 });
    const still = await bob.call('approvals:get', { id });
    expect(still.ok && still.data.item).toMatchObject({ status: 'pending', decidedBy: null });
    expect(await ana.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: true,
      data: { status: 'approved', decidedBy: 'ana' },
    });

    // A role: that role or higher may decide.
    const byRole = (await register({ allowed: { role: 'editor' } })).body.id!;
    expect(await ana.call('approvals:decide', { id: byRole, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/accounts with the editor role or higher/) },
    });
    expect(await eve.call('approvals:decide', { id: byRole, decision: 'approve' })).toMatchObject({ ok: true });
    const byAdmin = (await register({ allowed: { role: 'editor' } })).body.id!;
    expect(await t.boss.call('approvals:decide', { id: byAdmin, decision: 'approve' })).toMatchObject({ ok: true });

    // Users or role: either suffices.
    const either = (await register({ allowed: { users: ['bob'], role: 'editor' } })).body.id!;
    expect(await bob.call('approvals:decide', { id: either, decision: 'approve' })).toMatchObject({ ok: true });

    // No restriction: any approver.
    const open = (await register({})).body.id!;
    const openItem = await bob.call('approvals:get', { id: open });
    expect(openItem.ok && openItem.data.item.allowed).toBeNull();
    expect(await bob.call('approvals:decide', { id: open, decision: 'approve' })).toMatchObject({ ok: true });
  });

  it('refuses a registration with an unknown role or a malformed list', async () => {
    const t = await teamCore({ clock: systemClock, ingestPort: 0 });
    cleanups.push(t.cleanup);
    const added = await t.boss.call('instances:add', instance);
    if (!added.ok) throw new Error(added.error.message);
    const register = await registrar(t.core as never, t.dataDir, added.data.id);
    for (const allowed of [{ role: 'boss' }, { users: 'ana' }, { users: [''] }, { users: ['ana'], extra: 1 }]) {
      const res = await register({ allowed });
      expect(res.status, JSON.stringify(allowed)).toBe(400);
      expect(res.body.error?.message).toMatch(/allowed/);
    }
    const list = await t.boss.call('approvals:list', { filter: { status: 'all' }, limit: 10 });
    expect(list.ok && list.data.total).toBe(0);
  });
});

describe('allowed approvers without team mode', () => {
  it('the one operator decides whatever the registration says (one person cannot be someone else)', async () => {
    const t = testCore({ clock: systemClock, ingestPort: 0 });
    cleanups.push(t.cleanup);
    const added = await t.core.call('instances:add', instance);
    if (!added.ok) throw new Error(added.error.message);
    const register = await registrar(t.core as never, t.dataDir, added.data.id);
    const id = (await register({ allowed: { users: ['ana'] } })).body.id!;
    expect(await t.core.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({ ok: true });
  });
});
