import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../testing/test-core';
import { ftsQuery } from './executions-reader';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

describe('execution search (found by the fuzz suite)', () => {
  it('drops control characters, which end an FTS5 string early', () => {
    expect(ftsQuery('a\u0000b')).toBe('"a"* "b"*');
    expect(ftsQuery('\u0000\u001f')).toBe('');
  });

  it('answers a search with a NUL byte instead of failing with INTERNAL', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    for (const search of ['a\u0000b', '\u0000', '"\u0000"', 'x\u0007y']) {
      const result = await t.core.call('executions:list', { search });
      expect(result).toMatchObject({ ok: true, data: { executions: [] } });
    }
    const retry = await t.core.call('runs:retry', { filter: { search: 'a\u0000b' } });
    expect(retry).toMatchObject({ ok: true, data: { preview: { count: 0 } } });
  });
});
