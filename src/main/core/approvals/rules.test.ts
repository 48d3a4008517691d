import { afterEach, describe, expect, it } from 'vitest';
import { approvalRuleInputSchema, type ApprovalRuleInput } from '../../../shared/contract/approvals';
import { approvalsHarness, expectCode } from '../testing/approvals-kit';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function harness() {
  const h = approvalsHarness();
  cleanups.push(h.cleanup, () => h.module.stop());
  return h;
}
const rule = (over: Partial<ApprovalRuleInput> = {}) =>
  approvalRuleInputSchema.parse({
    name: 'small orders',
    conditions: [{ path: 'amount', op: 'lt', value: 100 }],
    ...over,
  });
const saveRule = (h: ReturnType<typeof harness>, over: Partial<ApprovalRuleInput> = {}) =>
  h.module.handlers['approvals:saveRule']({ rule: rule(over) }, { transport: 'direct' });

describe('auto-approval rules', () => {
  it('approves at creation, in the same transaction, with an explanation on the decision and in the audit log', async () => {
    const h = harness();
    h.history(97, 3);
    const saved = await saveRule(h, { history: { windowDays: 7, minSuccessRatePct: 95, minRuns: 10 } });
    const item = h.gate({ payload: { amount: 42 } });
    expect(item).toMatchObject({ status: 'approved', decidedBy: `rule:${saved.id}`, ruleId: saved.id });
    expect(item.explanation).toBe(
      'approved by rule small orders: amount 42 < 100; success rate 97% over 7 days (97/100) > 95%',
    );
    expect(h.calls.released).toEqual([
      { executionId: item.executionId, decidedBy: `rule:${saved.id}`, inTransaction: true },
    ]);
    const entry = h.audit.list({ limit: 10, action: 'approval.approve' }).entries[0];
    expect(entry).toMatchObject({ actor: `rule:${saved.id}`, reason: item.explanation, details: { ruleId: saved.id } });
    // Not sent as a notification: nothing is waiting for a person.
    expect(h.events.filter(([e]) => e === 'approvals:arrived')).toEqual([]);
  });

  it('auto-approves an n8n wait and resumes it with the explanation as the comment', async () => {
    const h = harness();
    const saved = await saveRule(h, { scope: { kind: 'wait' } });
    const { approval } = h.wait('77', { payload: { amount: 10 } });
    expect(approval).toMatchObject({ status: 'approved', resumeState: 'resuming', ruleId: saved.id });
    await h.module.resumer.drain();
    expect(h.n8n.calls).toEqual([
      {
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/77',
        body: {
          approved: true,
          comment: 'approved by rule small orders: kind wait; amount 10 < 100',
          decidedBy: `rule:${saved.id}`,
        },
      },
    ]);
    expect(h.gate().status).toBe('pending'); // out of the rule's scope
  });

  it('leaves items pending when a condition or the history fails', async () => {
    const h = harness();
    h.history(90, 10); // 90%
    await saveRule(h, { history: { windowDays: 7, minSuccessRatePct: 95, minRuns: 10 } });
    expect(h.gate({ payload: { amount: 42 } }).status).toBe('pending');
    h.history(200, 0);
    expect(h.gate({ payload: { amount: 420 } }).status).toBe('pending');
    expect(h.gate({ payload: { amount: 42 } }).status).toBe('approved'); // 290/300 ≈ 96.7%
    expect(h.gate({ payload: {} }).status).toBe('pending');
  });

  it('needs enough runs, and ignores runs outside the window', async () => {
    const h = harness();
    h.history(50, 0, h.clock.now() - 8 * 86_400_000); // older than 7 days
    h.history(3, 0);
    await saveRule(h, { conditions: [], history: { windowDays: 7, minSuccessRatePct: 50, minRuns: 5 } });
    expect(h.gate().status).toBe('pending');
    h.history(2, 0);
    expect(h.gate().status).toBe('approved');
  });

  it('stops at its daily limit (a rolling 24 hours) and resumes after', async () => {
    const h = harness();
    const saved = await saveRule(h, { dailyLimit: 3 });
    const statuses = Array.from({ length: 5 }, () => h.gate().status);
    expect(statuses).toEqual(['approved', 'approved', 'approved', 'pending', 'pending']);
    expect((await h.module.handlers['approvals:listRules']({}, { transport: 'direct' }))[0]?.approvedLast24h).toBe(3);
    h.clock.advance(86_400_001);
    expect(h.service.runRules()).toEqual({ approved: 2, checked: 2 });
    expect(
      h.service.rows.list({ status: 'approved' }, 'x', h.clock.now(), 10).items.every((i) => i.ruleId === saved.id),
    ).toBe(true);
  });

  it('re-runs over pending items once a rule is added; disabled rules do nothing', async () => {
    const h = harness();
    h.gate();
    h.gate({ payload: { amount: 500 } });
    await saveRule(h, { enabled: false });
    expect(h.service.runRules()).toEqual({ approved: 0, checked: 2 });
    await saveRule(h);
    expect(h.service.runRules()).toEqual({ approved: 1, checked: 2 });
  });

  it('dry-runs over past decided items without changing anything', async () => {
    const h = harness();
    for (let i = 0; i < 52; i++) {
      const item = h.gate({ payload: { amount: i < 37 ? 10 : 1000 } });
      if (i < 35) h.service.decide(item.id, 'approve');
      else h.service.decide(item.id, 'reject', 'no');
    }
    h.gate(); // pending: not part of the dry run
    const before = h.auditActions().length;
    const result = await h.module.handlers['approvals:dryRunRule'](
      { rule: rule(), limit: 5000 },
      { transport: 'direct' },
    );
    expect(result).toMatchObject({ total: 52, wouldApprove: 37, disagreements: 2 });
    expect(result.message).toBe('This rule would have approved 37 of 52 past decisions (2 of them had been rejected).');
    expect(result.samples[0]?.explanation).toBe('amount 10 < 100');
    expect(h.auditActions()).toHaveLength(before);
    expect(h.service.count().pending).toBe(1);
    const limited = await h.module.handlers['approvals:dryRunRule'](
      { rule: rule({ dailyLimit: 10 }), limit: 5000 },
      { transport: 'direct' },
    );
    expect(limited.wouldApprove).toBe(10);
  });

  it('refuses rules that would approve everything, bad conditions, unknown ids', async () => {
    const h = harness();
    expect(approvalRuleInputSchema.safeParse({ name: 'all' }).success).toBe(false);
    expect(
      approvalRuleInputSchema.safeParse({ name: 'x', conditions: [{ path: '__proto__.x', op: 'exists' }] }).success,
    ).toBe(false);
    expect(approvalRuleInputSchema.safeParse({ name: 'x', conditions: [{ path: 'a', op: 'lt' }] }).success).toBe(false);
    expect(() =>
      h.module.handlers['approvals:saveRule']({ id: 'nope', rule: rule() }, { transport: 'direct' }),
    ).toThrow(/No rule with id nope/);
    expectCode(() => h.module.handlers['approvals:removeRule']({ id: 'nope' }, { transport: 'direct' }), 'NOT_FOUND');
  });
});
