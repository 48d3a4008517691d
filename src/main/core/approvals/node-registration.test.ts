import { afterEach, describe, expect, it } from 'vitest';
import { approvalRuleInputSchema } from '../../../shared/contract/approvals';
import { approvalDetail } from './approval-detail';
import { approvalsHarness, expectCode } from '../testing/approvals-kit';

// Registrations by the n8n node "Flightdeck: Request Approval" (n8n-nodes-flightdeck/): marked
// `source: "flightdeck-node"`, with a title (summary), a longer text and ordered fields.
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function harness() {
  const h = approvalsHarness();
  cleanups.push(h.cleanup, () => h.module.stop());
  return h;
}

const fields = [
  { name: 'amount', value: 40 },
  { name: 'customer', value: 'ana@example.com' },
  { name: 'vip', value: false },
  { name: 'note', value: null },
];

describe('waits registered by the Flightdeck node', () => {
  it('keeps the marker, the longer text and the fields in order, and lists them', () => {
    const h = harness();
    const { approval } = h.wait('81', {
      source: 'flightdeck-node',
      summary: 'Refund 40 EUR to ana@example.com',
      description: 'Second refund this month.\nCheck the order first.',
      fields,
      payload: { amount: 40, customer: 'ana@example.com', vip: false, note: null },
      resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/81/node-1?flightdeck=abc',
    });
    expect(approval).toMatchObject({
      kind: 'wait',
      source: 'flightdeck-node',
      summary: 'Refund 40 EUR to ana@example.com',
      description: 'Second refund this month.\nCheck the order first.',
      fields,
      payload: { amount: 40 },
    });
    const listed = h.service.list({ status: 'open' }, 10).items[0];
    expect(listed).toEqual(approval);
    expect(approvalDetail(h.ctx, h.audit, h.service.rows, approval.id).item).toEqual(approval);
  });

  it('rules test the fields the node sends as its payload', async () => {
    const h = harness();
    await h.module.handlers['approvals:saveRule'](
      {
        rule: approvalRuleInputSchema.parse({
          name: 'small refunds',
          conditions: [{ path: 'amount', op: 'lt', value: 100 }],
        }),
      },
      { transport: 'direct' },
    );
    const { approval } = h.wait('82', { source: 'flightdeck-node', fields, payload: { amount: 40 } });
    expect(approval).toMatchObject({ status: 'approved', decidedBy: expect.stringMatching(/^rule:/) });
  });

  it('leaves waits registered by hand unmarked', () => {
    const h = harness();
    expect(h.wait('83').approval).toMatchObject({ source: null, description: null, fields: null });
  });

  it.each([
    ['an unknown source', { source: 'someone-else' }, /source/],
    ['a field twice', { fields: [fields[0], fields[0]] }, /unique/],
    ['an object as a value', { fields: [{ name: 'x', value: { a: 1 } }] }, /fields/],
    ['an empty field name', { fields: [{ name: ' ', value: 1 }] }, /fields/],
    ['51 fields', { fields: Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, value: i })) }, /fields/],
    ['a description over 4,000 characters', { description: 'x'.repeat(4_001) }, /description/],
  ])('refuses %s and stores nothing', (_name, over, message) => {
    const h = harness();
    expect(expectCode(() => h.wait('84', over), 'VALIDATION')).toMatch(message);
    expect(h.service.count().pending).toBe(0);
  });
});
