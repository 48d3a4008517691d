import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/test-core';
import { migrate } from './migrate';
import { migrations } from './migrations';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

const perf = migrations.find((m) => m.name === 'perf')!;

describe('upgrading a store to small hot rows (0020_perf)', () => {
  it("moves every job's payload into job_payloads and out of the jobs row", () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = new Database(join(dir.path, 'old.sqlite'));
    migrate(
      db,
      migrations.filter((m) => m.version < perf.version),
      () => 1,
    );
    const insert = db.prepare(`INSERT INTO jobs (id, instance_id, mapping_id, state, priority, payload_json,
        max_attempts, backoff_json, run_at_ms, created_at_ms, updated_at_ms, finished_at_ms)
      VALUES (?, 'i1', 'm1', ?, 0, ?, 3, '{"type":"fixed","delayMs":1}', 1, 1, 1, ?)`);
    insert.run(1, 'waiting', JSON.stringify({ body: 'x'.repeat(10_000) }), null);
    insert.run(2, 'completed', '{"executionId":7}', 5);

    migrate(db, migrations, () => 2);
    const columns = db.prepare("SELECT name FROM pragma_table_info('jobs')").pluck().all();
    expect(columns).not.toContain('payload_json');
    expect(db.prepare('SELECT job_id, length(payload_json) AS n FROM job_payloads ORDER BY job_id').all()).toEqual([
      { job_id: 1, n: 10_011 },
      { job_id: 2, n: 17 },
    ]);
    // A job's payload goes with it.
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM jobs WHERE id = 2').run();
    expect(db.prepare('SELECT job_id FROM job_payloads').pluck().all()).toEqual([1]);
    db.close();
  });
});
