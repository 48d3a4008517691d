import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations';
import { openStore, STORE_FILE } from '../db/store';
import { EventBus } from '../events';
import { ManualClock } from '../testing/manual-clock';
import { tempDir } from '../testing/test-core';
import { createQueueRetention } from './queue-retention';
import { createSqliteJobStore } from './sqlite-job-store';

const DAY = 86_400_000;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function setup() {
  const dir = tempDir();
  const clock = new ManualClock();
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => clock.now() });
  cleanups.push(dir.remove, () => store.close());
  const jobs = createSqliteJobStore({ store, clock });
  const count = (table: string) => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const size = () => {
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    return statSync(join(dir.path, STORE_FILE)).size;
  };
  /** `n` jobs with 10 KB payloads, run to completion now. */
  const finish = (n: number, key = 'k') => {
    jobs.enqueueMany(
      Array.from({ length: n }, (_, i) => ({
        instanceId: 'i',
        mappingId: 'm',
        payload: { pad: 'x'.repeat(10_000), i },
        idempotencyKey: `${key}-${i}`,
      })),
    );
    for (;;) {
      const claimed = jobs.claim({ limit: 500, leaseMs: 60_000 });
      if (claimed.length === 0) break;
      jobs.completeMany(claimed.map((j) => ({ id: j.id, leaseToken: j.leaseToken })));
    }
  };
  return { store, clock, jobs, count, size, finish, retention: createQueueRetention(store, jobs) };
}

describe('queue retention', () => {
  it('removes finished jobs past the retention with their payloads and keys, and the file shrinks', () => {
    const t = setup();
    expect(t.store.db.pragma('auto_vacuum', { simple: true })).toBe(2); // incremental
    t.finish(3_000, 'old');
    const dead = t.jobs.enqueue({ instanceId: 'i', mappingId: 'm', payload: {}, maxAttempts: 1 }).job.id;
    const [claimed] = t.jobs.claim({ limit: 1, leaseMs: 60_000 });
    t.jobs.fail({ id: claimed!.id, leaseToken: claimed!.leaseToken, error: 'no' });
    const waiting = t.jobs.enqueue({ instanceId: 'i', mappingId: 'm', payload: { keep: true } }).job.id;
    const full = t.size();

    t.clock.advance(31 * DAY);
    t.finish(10, 'new'); // finished within the retention: kept
    const result = t.retention.run(t.clock.now(), 30);
    expect(result.jobs).toBe(3_001); // the old completed ones and the old dead letter
    expect(() => t.jobs.get(dead)).toThrow(/does not exist/);
    expect(t.jobs.get(waiting).payload).toEqual({ keep: true }); // never finished: never pruned
    expect(t.count('jobs')).toBe(11);
    expect(t.count('job_payloads')).toBe(11);
    expect(t.count('idempotency_keys')).toBe(10);
    expect(result.pagesReleased).toBeGreaterThan(0);
    expect(t.store.db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(t.size()).toBeLessThan(full / 4);
  });

  it('turns incremental vacuum on for a store created without it (one rewrite at open)', () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const old = new Database(join(dir.path, STORE_FILE));
    old.exec('CREATE TABLE legacy (v TEXT) STRICT');
    old.prepare("INSERT INTO legacy VALUES ('kept')").run();
    expect(old.pragma('auto_vacuum', { simple: true })).toBe(0);
    old.close();
    const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => 1 });
    cleanups.unshift(() => store.close());
    expect(store.db.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(store.db.prepare('SELECT v FROM legacy').pluck().all()).toEqual(['kept']);
  });
});
