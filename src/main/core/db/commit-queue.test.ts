import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import { createCommitQueue } from './commit-queue';
import { migrations } from './migrations';
import { openStore } from './store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function store() {
  const dir = tempDir();
  const bus = new EventBus();
  const s = openStore({ dataDir: dir.path, bus, migrations, now: () => 1 });
  cleanups.push(dir.remove, () => s.close());
  const seen: string[] = [];
  bus.subscribe((event) => seen.push(event));
  s.db.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE) STRICT');
  const insert = s.db.prepare('INSERT INTO t (v) VALUES (?)');
  const values = () => s.db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all();
  return { s, seen, insert, values };
}

const payload = { theme: 'dark', retentionDays: 1, operatorName: 'x', dataDir: '/' } as const;

describe('commit queue (group commit)', () => {
  it('commits writes that arrive together in one transaction and answers each only after it', async () => {
    const { s, insert, values, seen } = store();
    let commits = 0;
    const write = s.write.bind(s);
    s.write = ((fn: never) => {
      const outer = !s.db.inTransaction;
      const result = write(fn);
      if (outer) commits += 1;
      return result;
    }) as typeof s.write;
    const queue = createCommitQueue(s);
    let answered = 0;
    const calls = ['a', 'b', 'c'].map((v) =>
      queue
        .run((announce) => {
          insert.run(v);
          announce('settings:changed', payload);
          // Nothing is answered or announced while the batch is still open.
          expect(answered).toBe(0);
          expect(seen).toEqual([]);
          return v.toUpperCase();
        })
        .then((value) => {
          answered += 1;
          // Answered after the commit: the row is visible outside the transaction.
          expect(s.db.inTransaction).toBe(false);
          return value;
        }),
    );
    expect(queue.waiting).toBe(3);
    expect(await Promise.all(calls)).toEqual(['A', 'B', 'C']);
    expect(values()).toEqual(['a', 'b', 'c']);
    expect(commits).toBe(1);
    expect(seen).toEqual(['settings:changed', 'settings:changed', 'settings:changed']);
  });

  it('rolls back only the write that failed, and rejects only its caller', async () => {
    const { s, insert, values, seen } = store();
    const queue = createCommitQueue(s);
    const results = await Promise.allSettled([
      queue.run(() => insert.run('a')),
      queue.run((announce) => {
        insert.run('b');
        announce('settings:changed', payload);
        insert.run('a'); // UNIQUE: this write fails after a partial insert
      }),
      queue.run(() => insert.run('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(values()).toEqual(['a', 'c']);
    expect(seen).toEqual([]); // the failed write's event is dropped with it
  });

  it('commits at once when a batch is full, and rejects every caller when the commit fails', async () => {
    const { s, insert, values } = store();
    const queue = createCommitQueue(s, { maxBatch: 2, schedule: () => {} });
    const full = [queue.run(() => insert.run('a')), queue.run(() => insert.run('b'))];
    expect(queue.waiting).toBe(0);
    await Promise.all(full);
    expect(values()).toEqual(['a', 'b']);

    // Another connection holds the write lock: the batch's commit cannot start.
    const other = new (s.db.constructor as typeof import('better-sqlite3'))(s.file, { timeout: 0 });
    cleanups.unshift(() => other.close());
    s.db.pragma('busy_timeout = 0');
    other.prepare('BEGIN IMMEDIATE').run();
    const busy = [queue.run(() => insert.run('c')), queue.run(() => insert.run('d'))];
    const settled = await Promise.allSettled(busy);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    other.prepare('ROLLBACK').run();
    expect(values()).toEqual(['a', 'b']);
  });
});
