import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditOrder } from '../../../shared/contract';
import { testCore } from '../testing/test-core';
import { createAuditLog } from './audit-log';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { migrations } from '../db/migrations';
import { tempDir } from '../testing/test-core';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function auditOnDisk() {
  const dir = tempDir();
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => 1 });
  cleanups.push(dir.remove, () => store.close());
  let t = 1000;
  const log = createAuditLog(store, () => t++);
  const add = (n: number) => {
    for (let i = 0; i < n; i++) {
      store.write((announce) =>
        log.record(announce, {
          actor: 'ana',
          action: 'execution.retry',
          targetType: 'execution',
          targetId: String(i),
          details: { i },
        }),
      );
    }
  };
  return { store, log, add };
}

describe('audit log', () => {
  it('chains entries and verifies an untouched log', () => {
    const { log, add } = auditOnDisk();
    add(5);
    expect(log.verify()).toEqual({
      ok: true,
      checked: 5,
      firstBadId: null,
      message: 'All 5 audit entries are intact.',
    });
  });

  it('detects an edited entry', () => {
    const { store, log, add } = auditOnDisk();
    add(5);
    store.db.prepare("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 3").run();
    expect(log.verify()).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('detects a deleted entry', () => {
    const { store, log, add } = auditOnDisk();
    add(5);
    store.db.prepare('DELETE FROM audit_log WHERE id = 2').run();
    expect(log.verify()).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('pages newest first and filters by target', () => {
    const { log, add } = auditOnDisk();
    add(5);
    const first = log.list({ limit: 2 });
    expect(first.entries.map((e) => e.targetId)).toEqual(['4', '3']);
    const second = log.list({ limit: 2, beforeId: first.nextBeforeId! });
    expect(second.entries.map((e) => e.targetId)).toEqual(['2', '1']);
    expect(log.list({ limit: 10, targetType: 'execution', targetId: '0' }).entries).toHaveLength(1);
  });

  it('records settings changes through the contract', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    await t.core.call('settings:update', { patch: { retentionDays: 12 } });
    const list = await t.core.call('audit:list', {});
    expect(list.ok && list.data.entries[0]).toMatchObject({
      action: 'settings.update',
      details: { changed: { retentionDays: 12 } },
    });
    expect(await t.core.call('audit:verify', {})).toMatchObject({ ok: true, data: { ok: true, checked: 1 } });
  });

  it('names every kind of action and target recorded, once each, sorted', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    expect(await t.core.call('audit:kinds', {})).toEqual({ ok: true, data: { actions: [], targetTypes: [] } });
    await t.core.call('settings:update', { patch: { retentionDays: 12 } });
    await t.core.call('settings:update', { patch: { retentionDays: 13 } });
    const { log, add } = auditOnDisk();
    add(2);
    expect(log.kinds()).toEqual({ actions: ['execution.retry'], targetTypes: ['execution'] });
    expect(await t.core.call('audit:kinds', {})).toEqual({
      ok: true,
      data: { actions: ['settings.update'], targetTypes: ['settings'] },
    });
  });
});

/** Entries with many ties in every order: three people, three actions, targets with and without an id. */
function tiedLog() {
  const { store, log } = auditOnDisk();
  const actors = ['ana', 'bo', 'system'];
  const actions = ['mapping.update', 'execution.retry', 'approval.approve'];
  const targets: [string, string | null][] = [
    ['mapping', 'm-2'],
    ['mapping', 'm-1'],
    ['settings', null],
    ['execution', '7'],
    ['settings', null],
    ['mapping', null],
  ];
  const record = (i: number) =>
    store.write((announce) =>
      log.record(announce, {
        actor: actors[i % 3]!,
        action: actions[(i * 7) % 3]!,
        targetType: targets[i % targets.length]![0],
        targetId: targets[i % targets.length]![1],
        details: { i },
      }),
    );
  for (let i = 0; i < 40; i++) record(i);
  return { log, record };
}

/** The order the core must give, written independently of the SQL: NULL lowest, text by code unit. */
function expectedOrder(entries: AuditEntry[], order: AuditOrder): number[] {
  const key = (e: AuditEntry): (string | number | null)[] => {
    switch (order.by) {
      case 'time':
        return [e.id];
      case 'actor':
        return [e.actor, e.id];
      case 'action':
        return [e.action, e.id];
      case 'target':
        return [e.targetType, e.targetId, e.id];
    }
  };
  const compare = (a: AuditEntry, b: AuditEntry) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) {
      if (x[i] === y[i]) continue;
      if (x[i] === null) return -1;
      if (y[i] === null) return 1;
      return x[i]! < y[i]! ? -1 : 1;
    }
    return 0;
  };
  const sorted = [...entries].sort(compare);
  return (order.direction === 'asc' ? sorted : sorted.reverse()).map((e) => e.id);
}

const ORDERS: AuditOrder[] = (['time', 'actor', 'action', 'target'] as const).flatMap((by) =>
  (['asc', 'desc'] as const).map((direction) => ({ by, direction })),
);

describe('audit log order', () => {
  for (const order of ORDERS) {
    it(`pages ${order.by} ${order.direction} across ties: every entry once, in order`, () => {
      const { log } = tiedLog();
      const all = log.list({ limit: 500 }).entries;
      expect(all).toHaveLength(40);
      for (const limit of [1, 3, 7, 40]) {
        const seen: number[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = log.list({ limit, order, ...(cursor ? { cursor } : {}) });
          seen.push(...page.entries.map((e) => e.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen, `limit ${limit}`).toEqual(expectedOrder(all, order));
      }
      // With a filter: the same order among that person's entries.
      const bos = all.filter((e) => e.actor === 'bo');
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = log.list({ limit: 4, actor: 'bo', order, ...(cursor ? { cursor } : {}) });
        seen.push(...page.entries.map((e) => e.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(expectedOrder(bos, order));
    });
  }

  it('shows each earlier entry once while new ones are recorded between pages', () => {
    const { log, record } = tiedLog();
    const before = new Set(log.list({ limit: 500 }).entries.map((e) => e.id));
    for (const order of ORDERS) {
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pages = 0, i = 100; pages < 100; pages++, i++) {
        const page = log.list({ limit: 6, order, ...(cursor ? { cursor } : {}) });
        seen.push(...page.entries.map((e) => e.id));
        record(i);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(new Set(seen).size, `${order.by} ${order.direction}: no repeats`).toBe(seen.length);
      expect(
        [...before].filter((id) => !seen.includes(id)),
        `${order.by} ${order.direction}: none missing`,
      ).toEqual([]);
    }
  });

  it('keeps newest-first paging by beforeId, and gives a cursor for the same page', () => {
    const { log } = tiedLog();
    const first = log.list({ limit: 5 });
    expect(first.nextBeforeId).toBe(first.entries.at(-1)?.id);
    expect(first.nextCursor).toBe(`time.desc.${first.entries.at(-1)?.id}`);
    const byId = log.list({ limit: 5, beforeId: first.nextBeforeId! });
    const byCursor = log.list({ limit: 5, cursor: first.nextCursor! });
    expect(byCursor.entries).toEqual(byId.entries);
    // Other orders page by cursor only.
    expect(log.list({ limit: 5, order: { by: 'actor', direction: 'asc' } }).nextBeforeId).toBeNull();
  });

  it('refuses a bad order or cursor through the contract with a clear error', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    for (let i = 10; i < 14; i++) await t.core.call('settings:update', { patch: { retentionDays: i } });
    const page = await t.core.call('audit:list', { limit: 2, order: { by: 'actor', direction: 'asc' } });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.data.nextCursor).toMatch(/^actor\.asc\.\d+$/);

    const refused = async (input: unknown) => {
      const answer = await t.core.call('audit:list', input as never);
      expect(answer.ok, JSON.stringify(input)).toBe(false);
      return answer.ok ? '' : `${answer.error.code}: ${answer.error.message}`;
    };
    expect(await refused({ order: { by: 'hash', direction: 'asc' } })).toMatch(/^VALIDATION/);
    expect(await refused({ order: { by: 'actor', direction: 'up' } })).toMatch(/^VALIDATION/);
    expect(await refused({ order: { by: 'actor' } })).toMatch(/^VALIDATION/);
    expect(await refused({ order: 'actor' })).toMatch(/^VALIDATION/);
    expect(await refused({ cursor: "actor.asc.1'; DROP TABLE audit_log; --" })).toMatch(
      /^VALIDATION: .*Invalid cursor: pass the nextCursor of the previous page unchanged/,
    );
    expect(await refused({ cursor: page.data.nextCursor })).toBe(
      'VALIDATION: This cursor pages the order actor/asc, not time/desc: pass the nextCursor of the previous page with the same order and filters.',
    );
    expect(await refused({ order: { by: 'actor', direction: 'asc' }, cursor: 'actor.asc.999999' })).toBe(
      'VALIDATION: The entry this cursor continues after (#999999) is not in the log (it was restored meanwhile): start again from the first page.',
    );
    // Nothing changed: the log is whole and nothing was recorded by the refusals.
    expect(await t.core.call('audit:verify', {})).toMatchObject({ ok: true, data: { ok: true, checked: 4 } });
  });
});
