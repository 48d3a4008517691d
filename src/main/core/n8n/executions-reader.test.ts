import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallInput, CallOutput, ExecutionSummary } from '../../../shared/contract';
import { compareExecutions } from '../../../shared/execution-order';
import type { Core } from '../create-core';
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
      `INSERT INTO executions (source, status, created_at_ms, updated_at_ms)
       VALUES ('local', 'succeeded', ?, ?)`,
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

describe('sorting the executions list (server side, keyset pages)', () => {
  /** Rows with ties on every key: equal creation times, equal statuses, runs not finished yet. */
  const SEED: [status: string, created: number, started: number | null, finished: number | null][] = [
    ['succeeded', 1000, 1010, 1500],
    ['failed', 1000, 1020, 1100],
    ['running', 2000, 2005, null],
    ['queued', 2000, null, null],
    ['succeeded', 3000, 3001, 3500],
    ['failed', 3000, 3002, 3500],
    ['succeeded', 3000, 3003, 3100],
    ['queued', 4000, null, null],
    ['dead_lettered', 5000, 5001, 5001],
    ['succeeded', 5000, 5002, 5402],
    ['failed', 6000, 6001, 6401],
  ];

  async function seeded() {
    const t = testCore();
    cleanups.push(t.cleanup);
    await t.core.call('app:status', {});
    const db = new Database(join(t.dataDir, STORE_FILE));
    cleanups.push(async () => void db.close());
    const insert = db.prepare(
      `INSERT INTO executions (source, status, created_at_ms, started_at_ms, finished_at_ms, duration_ms, updated_at_ms)
       VALUES ('local', ?, ?, ?, ?, ?, ?)`,
    );
    for (const [status, created, started, finished] of SEED)
      insert.run(
        status,
        created,
        started,
        finished,
        started !== null && finished !== null ? finished - started : null,
        created,
      );
    return { ...t, db };
  }

  /** Every page of a sort, `limit` rows at a time, by following nextCursor. */
  async function allPages(core: Core, input: Partial<CallInput<'executions:list'>>, limit: number) {
    const pages: ExecutionSummary[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await core.call('executions:list', { ...input, limit, ...(cursor ? { cursor } : {}) });
      if (!page.ok) throw new Error(page.error.message);
      pages.push(page.data.executions);
      if (!page.data.nextCursor) return pages;
      cursor = page.data.nextCursor;
    }
  }

  it.each(
    (['created', 'started', 'finished', 'duration', 'status'] as const).flatMap((sort) =>
      (['desc', 'asc'] as const).map((direction) => [sort, direction] as const),
    ),
  )(
    'by %s %s: pages of 2 and 3 meet the order of one big page and of the shared comparator',
    async (sort, direction) => {
      const { core } = await seeded();
      const whole = await core.call('executions:list', { sort, direction, limit: 100 });
      if (!whole.ok) throw new Error(whole.error.message);
      const all = whole.data.executions;
      expect(all).toHaveLength(SEED.length);
      // The SQL order and the renderer's comparator agree row for row (a pushed row lands right).
      expect(all.map((e) => e.id)).toEqual(
        [...all].sort((a, b) => compareExecutions(a, b, sort, direction)).map((e) => e.id),
      );
      for (const limit of [2, 3]) {
        const pages = await allPages(core, { sort, direction }, limit);
        expect(pages.flat().map((e) => e.id)).toEqual(all.map((e) => e.id));
        expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
      }
    },
  );

  it('orders as the operator reads it: ties on the id, runs still going last when latest first', async () => {
    const { core } = await seeded();
    const ids = async (input: Partial<CallInput<'executions:list'>>) => {
      const r = await core.call('executions:list', { limit: 100, ...input });
      return r.ok ? r.data.executions.map((e) => [e.id, e.status]) : r;
    };
    expect(await ids({ sort: 'duration' })).toEqual([
      [5, 'succeeded'], // 499 ms
      [6, 'failed'], // 498
      [1, 'succeeded'], // 490
      [11, 'failed'], // 400
      [10, 'succeeded'], // 400: the tie breaks on the id, in the same direction
      [7, 'succeeded'], // 97
      [2, 'failed'], // 80
      [9, 'dead_lettered'], // 0
      [8, 'queued'], // not finished: -1, last
      [4, 'queued'],
      [3, 'running'],
    ]);
    const byStatus = await core.call('executions:list', { sort: 'status', direction: 'asc', limit: 100 });
    expect(byStatus.ok && byStatus.data.executions.map((e) => `${e.status}@${e.createdAtMs}#${e.id}`)).toEqual([
      'dead_lettered@5000#9',
      'failed@1000#2',
      'failed@3000#6',
      'failed@6000#11',
      'queued@2000#4',
      'queued@4000#8',
      'running@2000#3',
      'succeeded@1000#1',
      'succeeded@3000#5',
      'succeeded@3000#7',
      'succeeded@5000#10',
    ]);
  });

  it('keeps paging right while runs arrive between pages, with filters', async () => {
    const { core, db } = await seeded();
    const first = await core.call('executions:list', { sort: 'started', limit: 4, status: ['succeeded', 'failed'] });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.data.executions.map((e) => e.id)).toEqual([11, 10, 7, 6]);
    // A newer run and one that sorts inside the first page: neither shifts the next page.
    db.prepare(
      `INSERT INTO executions (source, status, created_at_ms, started_at_ms, updated_at_ms) VALUES ('local', 'failed', 9000, 9000, 9000)`,
    ).run();
    const next = await core.call('executions:list', {
      sort: 'started',
      limit: 4,
      status: ['succeeded', 'failed'],
      cursor: first.data.nextCursor ?? '',
    });
    expect(next.ok && next.data.executions.map((e) => e.id)).toEqual([5, 2, 1]);
  });

  it('refuses a cursor of another sort, a forged one, and a jump in an order that has no time', async () => {
    const { core } = await seeded();
    const page = await core.call('executions:list', { sort: 'duration', limit: 2 });
    const cursor = page.ok ? (page.data.nextCursor ?? '') : '';
    expect(cursor).toMatch(/^duration\.desc\./);
    for (const input of [
      { sort: 'status' as const, cursor },
      { sort: 'duration' as const, direction: 'asc' as const, cursor },
      { sort: 'status' as const, cursor: 'status.desc.nonsense.1.2' },
      { sort: 'duration' as const, cursor: 'duration.desc.1 OR 1=1.2' },
      { sort: 'finished' as const, cursor: '1000.2' },
      { sort: 'duration' as const, seek: 'oldest' as const },
      { sort: 'status' as const, seek: 5000 },
    ])
      expect(await core.call('executions:list', input)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // A cursor from before sorting existed still pages the default order.
    const legacy = await core.call('executions:list', { cursor: '3000.6', limit: 3 });
    expect(legacy.ok && legacy.data.executions.map((e) => e.id)).toEqual([5, 4, 3]);
  });

  it('jumps by start time, both ways', async () => {
    const { core } = await seeded();
    const down = await core.call('executions:list', { sort: 'started', seek: 3002, limit: 2 });
    expect(down.ok && down.data.executions.map((e) => e.id)).toEqual([6, 5]);
    const up = await core.call('executions:list', { sort: 'started', direction: 'asc', seek: 3002, limit: 2 });
    expect(up.ok && up.data.executions.map((e) => e.id)).toEqual([6, 7]);
    const oldest = await core.call('executions:list', { sort: 'started', seek: 'oldest', limit: 2 });
    expect(oldest.ok && oldest.data.executions.map((e) => e.id)).toEqual([2, 1]);
  });
});

describe('event and mapping of a run', () => {
  it('lists each run with its event and its mapping by name, and filters on both', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const ok = <T>(r: Result<T>): T => {
      if (!r.ok) throw new Error(r.error.message);
      return r.data;
    };
    const instance = ok(
      await t.core.call('instances:add', {
        name: 'prod',
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'test-key-123456',
        environment: 'prod',
        color: '#2f6fed',
        syncEnabled: false,
      }),
    );
    ok(await t.core.call('queue:pause', { instanceId: instance.id }));
    const named = ok(
      await t.core.call('mappings:create', {
        mapping: { event: 'order.created', name: 'New orders', instanceId: instance.id, webhookPath: 'orders' },
      }),
    );
    const unnamed = ok(
      await t.core.call('mappings:create', {
        mapping: { event: 'refund.requested', instanceId: instance.id, webhookPath: 'refunds' },
      }),
    );
    ok(await t.core.call('ingest:emit', { event: 'order.created', payload: { secret: 'x'.repeat(5000) } }));
    ok(await t.core.call('ingest:emit', { event: 'refund.requested', payload: {} }));

    const all = ok(await t.core.call('executions:list', {}));
    expect(all.executions.map((e) => [e.event, e.mappingId, e.mappingName])).toEqual([
      ['refund.requested', unnamed.id, 'refund.requested'],
      ['order.created', named.id, 'New orders'],
    ]);
    // A summary carries no payload.
    expect(JSON.stringify(all)).not.toContain('xxxxx');
    const byEvent = ok(await t.core.call('executions:list', { event: 'order.created' }));
    expect(byEvent.executions.map((e) => e.mappingName)).toEqual(['New orders']);
    const byMapping = ok(await t.core.call('executions:list', { mappingId: unnamed.id }));
    expect(byMapping.executions.map((e) => e.event)).toEqual(['refund.requested']);

    // The mapping deleted: the run keeps its event and mapping id, and loses the name.
    ok(await t.core.call('mappings:remove', { id: unnamed.id }));
    const after = ok(await t.core.call('executions:list', { event: 'refund.requested' }));
    expect(after.executions.map((e) => [e.event, e.mappingId, e.mappingName])).toEqual([
      ['refund.requested', unnamed.id, null],
    ]);
  });

  it('pushes the changed rows after executions:changed, one event per burst', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const seen: { event: string; payload: unknown }[] = [];
    t.core.subscribe((event, payload) => {
      if (event.startsWith('executions:')) seen.push({ event, payload });
    });
    const instance = await t.core.call('instances:add', {
      name: 'prod',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'test-key-123456',
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    if (!instance.ok) throw new Error(instance.error.message);
    await t.core.call('queue:pause', { instanceId: instance.data.id });
    await t.core.call('mappings:create', {
      mapping: { event: 'order.created', instanceId: instance.data.id, webhookPath: 'orders' },
    });
    const emitted = await Promise.all(
      [1, 2, 3].map((i) => t.core.call('ingest:emit', { event: 'order.created', payload: { i } })),
    );
    const ids = emitted.flatMap((r) => (r.ok ? r.data.executionIds : []));
    expect(ids).toHaveLength(3);
    await expect
      .poll(() =>
        seen
          .filter((s) => s.event === 'executions:rows')
          .flatMap((s) => (s.payload as { rows: ExecutionSummary[] }).rows),
      )
      .toEqual(
        expect.arrayContaining(
          ids.map((id) => expect.objectContaining({ id, event: 'order.created', status: 'queued' })),
        ),
      );
    // Each rows event follows the changed event it answers.
    expect(seen[0]?.event).toBe('executions:changed');
  });
});
