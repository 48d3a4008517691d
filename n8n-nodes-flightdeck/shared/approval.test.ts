import { describe, expect, it } from 'vitest';
// The console's schema for POST /approvals: what the node builds must pass it as is.
import { waitRegistrationSchema } from '../../src/main/core/approvals/wait-registration';
import {
  allowedDeciders,
  ApprovalInputError,
  approvalFields,
  buildRegistration,
  dueAtMs,
  expiry,
  nodeResumeUrl,
  NODE_SOURCE,
  readDecision,
  resumeUrlIsSigned,
  routeDecision,
  type ApprovalParameters,
} from './approval';

const wait = {
  executionId: '81',
  resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/81/node-1?flightdeck=abc',
  workflowId: 'wf1',
  instanceUrl: 'http://127.0.0.1:5678/',
};
const params: ApprovalParameters = {
  title: '  Refund 40 EUR to ana@example.com ',
  summary: 'Second refund this month.',
  fields: [
    { name: 'amount', value: 40 },
    { name: ' customer ', value: 'ana@example.com' },
    { name: '', value: 'an empty row in the editor' },
    { name: 'vip', value: false },
    { name: 'items', value: [1, 2] },
    { name: 'note', value: undefined },
  ],
  priority: 2,
  dueAt: '2026-12-01T09:00:00.000Z',
  expireAfter: 90,
  expireUnit: 'minutes',
  onExpiry: 'approve',
};

describe('the registration body', () => {
  it('is what the console accepts: marked, titled, with ordered fields and their values as the payload', () => {
    const body = buildRegistration(params, wait);
    expect(body).toEqual({
      source: NODE_SOURCE,
      instanceUrl: 'http://127.0.0.1:5678/',
      executionId: '81',
      resumeUrl: wait.resumeUrl,
      workflowId: 'wf1',
      summary: 'Refund 40 EUR to ana@example.com',
      description: 'Second refund this month.',
      fields: [
        { name: 'amount', value: 40 },
        { name: 'customer', value: 'ana@example.com' },
        { name: 'vip', value: false },
        { name: 'items', value: '[1,2]' },
        { name: 'note', value: null },
      ],
      payload: { amount: 40, customer: 'ana@example.com', vip: false, items: '[1,2]', note: null },
      priority: 2,
      dueAtMs: Date.parse('2026-12-01T09:00:00.000Z'),
      expiry: { afterMs: 90 * 60_000, action: 'approve' },
    });
    expect(waitRegistrationSchema.safeParse(body).success).toBe(true);
  });

  it('names the instance by id when the credential has one; leaves out what is not set', () => {
    const body = buildRegistration(
      { title: 'Go?', priority: 5 },
      { executionId: '7', resumeUrl: 'http://n8n.example/webhook-waiting/7/n', instanceId: 'prod' },
    );
    expect(body).toEqual({
      source: NODE_SOURCE,
      instanceId: 'prod',
      executionId: '7',
      resumeUrl: 'http://n8n.example/webhook-waiting/7/n',
      summary: 'Go?',
      fields: [],
      payload: {},
      priority: 5,
    });
    expect(waitRegistrationSchema.safeParse(body).success).toBe(true);
  });

  it.each([
    ['no title', { title: '   ' }, /title/],
    ['a title over 500 characters', { title: 'x'.repeat(501) }, /title/],
    ['a summary over 4,000 characters', { summary: 'x'.repeat(4001) }, /summary/],
    ['priority 10', { priority: 10 }, /Priority/],
    ['priority 1.5', { priority: 1.5 }, /Priority/],
    [
      'a field twice',
      {
        fields: [
          { name: 'a', value: 1 },
          { name: 'a', value: 2 },
        ],
      },
      /twice/,
    ],
    ['a long field value', { fields: [{ name: 'a', value: 'x'.repeat(2001) }] }, /longer/],
    ['a field that is not a number', { fields: [{ name: 'a', value: Number.NaN }] }, /finite/],
    ['51 fields', { fields: Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, value: i })) }, /at most 50/],
    ['a due time that is not a date', { dueAt: 'tomorrow-ish' }, /Due/],
    ['an expiry under a minute', { expireAfter: 0.5, expireUnit: 'minutes' as const }, /between/],
    ['an expiry over 90 days', { expireAfter: 91, expireUnit: 'days' as const }, /between/],
    ['an unknown allowed role', { allowedRole: 'boss' }, /Unknown role "boss"/],
    ['a long allowed approver', { allowedUsers: `ana, ${'x'.repeat(81)}` }, /longer than 80/],
    ['51 allowed approvers', { allowedUsers: Array.from({ length: 51 }, (_, i) => `u${i}`).join(',') }, /at most 50/],
  ])('refuses %s with a message naming it', (_name, over, message) => {
    expect(() => buildRegistration({ ...params, ...over }, wait)).toThrow(ApprovalInputError);
    expect(() => buildRegistration({ ...params, ...over }, wait)).toThrow(message);
  });

  it('sends allowed approvers or a role as the console takes them, and nothing when neither is set', () => {
    const body = buildRegistration({ ...params, allowedUsers: ' ana, bob ,, ana ', allowedRole: 'editor' }, wait);
    expect(body.allowed).toEqual({ users: ['ana', 'bob'], role: 'editor' });
    expect(waitRegistrationSchema.safeParse(body).success).toBe(true);
    expect(buildRegistration({ ...params, allowedRole: 'approver' }, wait).allowed).toEqual({
      users: [],
      role: 'approver',
    });
    expect(buildRegistration({ ...params, allowedUsers: ' , ', allowedRole: '' }, wait)).not.toHaveProperty('allowed');
    expect(allowedDeciders(undefined, undefined)).toBeUndefined();
  });

  it('reads units, and no expiry or due time when none is set', () => {
    expect(expiry(2, 'hours', 'reject')).toEqual({ afterMs: 7_200_000, action: 'reject' });
    expect(expiry(1, 'days')).toEqual({ afterMs: 86_400_000, action: 'reject' });
    expect(expiry(0, 'hours', 'approve')).toBeUndefined();
    expect(expiry(undefined)).toBeUndefined();
    expect(dueAtMs('')).toBeUndefined();
    expect(dueAtMs(undefined)).toBeUndefined();
    expect(approvalFields(undefined)).toEqual([]);
  });
});

describe('the resume URL', () => {
  it("puts the node's id after n8n's URL and keeps n8n 2.x's signature", () => {
    expect(nodeResumeUrl('http://localhost:5678/webhook-waiting/81', 'node-1', 'tok')).toBe(
      'http://localhost:5678/webhook-waiting/81/node-1?flightdeck=tok',
    );
    const signed = nodeResumeUrl('https://n8n.example/base/webhook-waiting/81?signature=abc', 'a b', 'tok');
    expect(signed).toBe('https://n8n.example/base/webhook-waiting/81/a%20b?signature=abc&flightdeck=tok');
    expect(resumeUrlIsSigned('https://n8n.example/webhook-waiting/81?signature=abc')).toBe(true);
    expect(resumeUrlIsSigned('http://localhost:5678/webhook-waiting/81')).toBe(false);
  });
});

describe('the decision', () => {
  const at = new Date('2026-11-28T10:00:00.000Z');

  it("reads the console's resume body", () => {
    expect(readDecision({ approved: false, comment: 'too much', decidedBy: 'ana' }, at)).toEqual({
      approved: false,
      decision: 'rejected',
      comment: 'too much',
      decidedBy: 'ana',
      decidedAt: '2026-11-28T10:00:00.000Z',
    });
    expect(readDecision({ approved: true, comment: null, decidedBy: 'system', decidedAtMs: 0 }, at)).toMatchObject({
      decision: 'approved',
      comment: null,
      decidedAt: '1970-01-01T00:00:00.000Z',
    });
  });

  it.each([[null], [[]], ['yes'], [{}], [{ approved: 'true' }], [{ approved: 1 }]])('refuses %j', (body) => {
    expect(readDecision(body, at)).toBeNull();
  });

  it('routes to Approved or Rejected, or to the one output', () => {
    expect(routeDecision('twoOutputs', true, ['x'])).toEqual([['x'], []]);
    expect(routeDecision('twoOutputs', false, ['x'])).toEqual([[], ['x']]);
    expect(routeDecision('oneOutput', false, ['x'])).toEqual([['x']]);
  });
});
