import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallOutput } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import { STORE_FILE } from '../db/store';
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

describe('jumping in the executions list (keyset seek)', () => {
  it('starts a page at a date or at the oldest runs, and pages on from there', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    await t.core.call('app:status', {});
    const db = new Database(join(t.dataDir, STORE_FILE));
    cleanups.push(async () => void db.close());
    const insert = db.prepare(
      `INSERT INTO executions (source, status, payload_json, created_at_ms, updated_at_ms)
       VALUES ('local', 'succeeded', '{"pad":"x"}', ?, ?)`,
    );
    for (let i = 1; i <= 10; i++) insert.run(i * 1000, i * 1000);
    const times = (r: Result<CallOutput<'executions:list'>>) =>
      r.ok ? r.data.executions.map((e) => e.createdAtMs) : r;

    const atDate = await t.core.call('executions:list', { seek: 5_500, limit: 2 });
    expect(times(atDate)).toEqual([5000, 4000]);
    const next = await t.core.call('executions:list', {
      seek: 5_500,
      limit: 2,
      cursor: atDate.ok ? (atDate.data.nextCursor ?? '') : '',
    });
    expect(times(next)).toEqual([3000, 2000]);
    const oldest = await t.core.call('executions:list', { seek: 'oldest', limit: 3 });
    expect(times(oldest)).toEqual([3000, 2000, 1000]);
    expect(oldest.ok && oldest.data.nextCursor).toBeNull();
    expect(await t.core.call('executions:list', { seek: -1 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });
});
