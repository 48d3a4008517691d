import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalPolicy } from '../../../shared/contract/mappings';
import { teamCore, type TeamMember } from '../testing/team-kit';
import { testCore } from '../testing/test-core';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

/** An instance nothing listens on (runs are never dispatched in these tests) and a gated mapping. */
async function gatedMapping(
  admin: Pick<TeamMember, 'call'>,
  policy: Partial<ApprovalPolicy>,
  approvalExpiry: { afterMs: number; action: 'approve' | 'reject' } | null = null,
) {
  const instance = await admin.call('instances:add', {
    name: 'dev',
    baseUrl: 'http://127.0.0.1:9',
    apiKey: 'four-eyes-test-key',
    environment: 'dev',
    color: '#2f6fed',
    syncEnabled: false,
  });
  if (!instance.ok) throw new Error(instance.error.message);
  const mapping = await admin.call('mappings:create', {
    mapping: {
      event: 'refund.requested',
      instanceId: instance.data.id,
      webhookPath: 'refund',
      requiresApproval: true,
      approvalPolicy: policy,
      approvalExpiry,
    },
  });
  if (!mapping.ok) throw new Error(mapping.error.message);
}

async function emitAs(member: Pick<TeamMember, 'call'>): Promise<number> {
  const emitted = await member.call('ingest:emit', { event: 'refund.requested', payload: { amount: 40 } });
  if (!emitted.ok) throw new Error(emitted.error.message);
  const list = await member.call('approvals:list', { filter: { status: 'open' }, limit: 10 });
  if (!list.ok) throw new Error(list.error.message);
  const item = list.data.items.find((i) => i.executionId === emitted.data.executionIds[0]);
  return item!.id;
}

describe('four eyes (team mode)', () => {
  it('refuses the requester’s own approval, needs two different approvers, and names each in the log', async () => {
    const t = await teamCore();
    cleanups.push(t.cleanup);
    await gatedMapping(t.boss, { approvers: 2, requesterMayApprove: false });
    const ana = await t.member('ana', 'approver');
    const bob = await t.member('bob', 'approver');
    const cy = await t.member('cy', 'approver');
    const id = await emitAs(ana);

    const own = await ana.call('approvals:decide', { id, decision: 'approve' });
    expect(own).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringContaining('someone else') },
    });

    expect(await bob.call('approvals:decide', { id, decision: 'approve', comment: 'looks right' })).toMatchObject({
      ok: true,
      data: { status: 'pending', decidedBy: null },
    });
    expect(await bob.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('1 more approver') },
    });
    const detail = await bob.call('approvals:get', { id });
    expect(detail.ok && detail.data.quorum).toEqual({
      required: 2,
      approvals: [{ by: 'bob', atMs: expect.any(Number) }],
      requestedBy: 'ana',
      requesterMayApprove: false,
    });

    expect(await cy.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: true,
      data: { status: 'approved', decidedBy: 'cy' },
    });
    const history = await t.boss.call('audit:list', { limit: 20, targetType: 'approval', targetId: String(id) });
    expect(history.ok && history.data.entries.map((e) => `${e.actor} ${e.action}`).reverse()).toEqual([
      'dispatch approval.create',
      'bob approval.vote',
      'cy approval.approve',
    ]);
    const emitted = await t.boss.call('audit:list', { limit: 5, action: 'event.emit' });
    expect(emitted.ok && emitted.data.entries[0]?.actor).toBe('ana');
  });

  it('lets the requester reject their own run, and one reject ends it', async () => {
    const t = await teamCore();
    cleanups.push(t.cleanup);
    await gatedMapping(t.boss, { approvers: 3, requesterMayApprove: false });
    const ana = await t.member('ana', 'approver');
    const bob = await t.member('bob', 'approver');
    const id = await emitAs(ana);
    await bob.call('approvals:decide', { id, decision: 'approve' });
    expect(await ana.call('approvals:decide', { id, decision: 'reject', comment: 'wrong amount' })).toMatchObject({
      ok: true,
      data: { status: 'rejected', decidedBy: 'ana' },
    });
  });

  it('applies per item in a bulk decision, and keeps rules from approving what needs several people', async () => {
    const t = await teamCore();
    cleanups.push(t.cleanup);
    await gatedMapping(t.boss, { approvers: 2 });
    await t.boss.call('approvals:saveRule', { rule: { name: 'everything', conditions: [] } });
    const ana = await t.member('ana', 'approver');
    const first = await emitAs(ana);
    const second = await emitAs(ana);
    expect(await t.boss.call('approvals:runRules', {})).toMatchObject({ ok: true, data: { approved: 0 } });
    // The requester may approve here (the default), but one approval is not enough.
    const bulk = await ana.call('approvals:decideMany', { ids: [first, second], decision: 'approve' });
    expect(bulk).toMatchObject({ ok: true, data: { decided: 2, refused: 0 } });
    const open = await ana.call('approvals:list', { filter: { status: 'open' }, limit: 10 });
    expect(open.ok && open.data.items.map((i) => i.id).sort()).toEqual([first, second].sort());
    const again = await ana.call('approvals:decideMany', { ids: [first], decision: 'approve' });
    expect(again).toMatchObject({ ok: true, data: { decided: 0, refused: 1 } });
    expect(await t.boss.call('approvals:decide', { id: first, decision: 'approve' })).toMatchObject({
      ok: true,
      data: { status: 'approved', decidedBy: 'boss' },
    });
  });

  it('never lets the clock approve what needs several people: an expiry that would approve rejects', async () => {
    // The approvals area checks expiries on its own timer (every 10 s; here every 200 ms).
    const t = await teamCore({ approvals: { tickMs: 200 } });
    cleanups.push(t.cleanup);
    await gatedMapping(t.boss, { approvers: 2 }, { afterMs: 60_000, action: 'approve' });
    const ana = await t.member('ana', 'approver');
    const id = await emitAs(ana);
    t.clock.advance(61_000);
    await expect
      .poll(
        async () => {
          const item = await ana.call('approvals:get', { id });
          return item.ok ? item.data.item : null;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toMatchObject({
        status: 'expired',
        decision: 'reject',
        explanation: expect.stringContaining('needs several approvers'),
      });
  });

  it('does not apply with one operator (no team mode): they approve their own run at once', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const local = { call: t.core.call };
    await gatedMapping(local, { approvers: 2, requesterMayApprove: false });
    const id = await emitAs(local);
    expect(await t.core.call('approvals:decide', { id, decision: 'approve' })).toMatchObject({
      ok: true,
      data: { status: 'approved' },
    });
  });
});
