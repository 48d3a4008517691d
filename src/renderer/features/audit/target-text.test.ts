import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/contract';
import { targetText } from './target-text';

const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  atMs: 0,
  actor: 'ana',
  action: 'x.y',
  targetType: 'instance',
  targetId: 'id-1',
  reason: null,
  details: {},
  hash: 'h',
  ...fields,
});

describe('what an audit entry is about', () => {
  it('names runs as everywhere else, with the run a retry created', () => {
    expect(targetText(entry({ targetType: 'execution', details: { run: 'FD-29' } }))).toBe('FD-29');
    expect(targetText(entry({ targetType: 'execution', details: { run: 'FD-29', newRun: 'FD-41' } }))).toBe(
      'FD-29 → retried as FD-41',
    );
  });

  it('names what the entry recorded a name for, alert rules included (kept whole in the entry)', () => {
    expect(targetText(entry({ details: { name: 'prod' } }))).toBe('instance “prod”');
    const rule = { name: 'Orders failing', id: 'r1' };
    expect(targetText(entry({ targetType: 'alert_rule', details: { rule } }))).toBe('alert rule “Orders failing”');
    expect(targetText(entry({ targetType: 'alert_rule', details: { before: { name: 'Old' }, after: rule } }))).toBe(
      'alert rule “Orders failing”',
    );
  });

  it('says a token entry is about a token of its user, not about a user named like the token', () => {
    const created = entry({ action: 'token.create', targetType: 'user', targetId: 'bob', details: { name: 'ci' } });
    expect(targetText(created)).toBe('token “ci” of bob');
  });

  it('falls back to the kind and id when nothing was named', () => {
    expect(targetText(entry({ targetType: 'approval_rule', targetId: '7' }))).toBe('approval rule #7');
    expect(targetText(entry({ targetType: 'settings', targetId: null }))).toBe('settings');
    expect(targetText(entry({ targetType: 'event', targetId: 'refund.large' }))).toBe('event refund.large');
  });
});
