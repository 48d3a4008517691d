import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../testing/test-core';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

describe('approvals over the contract', () => {
  it('answers an empty inbox honestly', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    expect(await t.core.call('approvals:list', {})).toEqual({ ok: true, data: { items: [], total: 0 } });
    expect(await t.core.call('approvals:count', {})).toEqual({ ok: true, data: { pending: 0, high: 0 } });
    expect(await t.core.call('approvals:expiredNotice', {})).toEqual({ ok: true, data: { items: [] } });
  });

  it.each([
    ['approvals:decide', { id: 'x', decision: 'approve' }],
    ['approvals:decide', { id: 1, decision: 'maybe' }],
    ['approvals:decide', { id: 1, decision: 'approve', extra: true }],
    ['approvals:decideMany', { ids: [], decision: 'approve' }],
    ['approvals:list', { filter: { status: 'weird' } }],
    ['approvals:claim', { id: 1, assignee: '' }],
    ['approvals:comment', { id: 1, body: '   ' }],
    ['approvals:saveRule', { rule: { name: 'everything' } }],
    ['approvals:saveView', { name: '', filter: {} }],
  ] as const)('%s refuses %j with VALIDATION', async (channel, input) => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const result = await t.core.invoke(channel, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('maps unknown ids to NOT_FOUND and keeps saved views', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    expect(await t.core.call('approvals:decide', { id: 5, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await t.core.call('approvals:get', { id: 5 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const bulk = await t.core.call('approvals:decideMany', { ids: [5, 6], decision: 'approve' });
    expect(bulk.ok && bulk.data).toMatchObject({ decided: 0, refused: 2 });
    const view = await t.core.call('approvals:saveView', {
      name: 'Urgent',
      filter: { status: 'open', maxPriority: 2 },
    });
    expect(view.ok).toBe(true);
    const views = await t.core.call('approvals:listViews', {});
    expect(views.ok && views.data.map((v) => v.name)).toEqual(['Urgent']);
    expect(await t.core.call('approvals:removeView', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});
