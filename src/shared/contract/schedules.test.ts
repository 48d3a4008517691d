import { describe, expect, it } from 'vitest';
import { schedulesCalls } from './schedules';

const draft = (over: Record<string, unknown> = {}) => ({
  name: 'Nightly',
  event: 'report.daily',
  timing: { kind: 'cron', expression: '0 2 * * *', timeZone: 'UTC' },
  ...over,
});

describe('schedule drafts (found by the fuzz suite)', () => {
  it('refuses a payload nested thousands of levels deep instead of overflowing the stack', () => {
    let deep: unknown = { leaf: true };
    for (let i = 0; i < 5_000; i++) deep = { a: deep };
    const parsed = schedulesCalls['schedules:create'].input.safeParse({ draft: draft({ payload: deep }) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('at most 64 levels');
  });

  it('still accepts an ordinary nested payload and defaults a missing one to {}', () => {
    const nested = schedulesCalls['schedules:create'].input.safeParse({ draft: draft({ payload: { a: { b: [1] } } }) });
    expect(nested.success && nested.data.draft.payload).toEqual({ a: { b: [1] } });
    const missing = schedulesCalls['schedules:create'].input.safeParse({ draft: draft() });
    expect(missing.success && missing.data.draft.payload).toEqual({});
  });

  it('refuses an interval anchor past the year 9999, whose ticks would not be exact integers', () => {
    const timing = (anchorMs: number) => ({ kind: 'interval', everyMs: 1_000, anchorMs, timeZone: 'UTC' });
    const preview = schedulesCalls['schedules:preview'].input;
    expect(preview.safeParse({ timing: timing(9_007_199_254_731_992) }).success).toBe(false);
    expect(preview.safeParse({ timing: timing(Date.UTC(2030, 0, 1)) }).success).toBe(true);
  });
});
