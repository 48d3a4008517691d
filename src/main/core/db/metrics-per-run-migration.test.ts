import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/test-core';
import { migrate } from './migrate';
import { migrations } from './migrations';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** The migration that brought lineage and per-run metrics (its number changes when branches merge). */
const lineageVersion = migrations.find((m) => m.name === 'metrics_per_run')!.version;

describe('upgrading a store to per-run metrics and lineage', () => {
  it("moves old local retry links out of n8n's retry_of, links n8n retries, and rebuilds the rollups", () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = new Database(join(dir.path, 'old.sqlite'));
    migrate(
      db,
      migrations.filter((m) => m.version < lineageVersion),
      () => 1,
    );
    const insert =
      db.prepare(`INSERT INTO executions (id, source, instance_id, workflow_id, remote_id, status, retry_of,
        source_kind, attempts, response_status, created_at_ms, updated_at_ms)
      VALUES (?, ?, 'i1', 'wf', ?, ?, ?, ?, ?, ?, 3600000, 3600000)`);
    // Before: a local run (dead-lettered after 3 calls) retried by the console, which wrote the
    // local id "1" into retry_of; and n8n's own retry of its execution #40.
    insert.run(1, 'local', null, 'dead_lettered', null, 'ui', 3, 500);
    insert.run(2, 'local', null, 'succeeded', '1', 'retry', 1, 200);
    insert.run(3, 'remote', '40', 'failed', null, null, 0, null);
    insert.run(4, 'remote', '41', 'succeeded', '40', null, 0, null);
    const before = db.prepare('SELECT SUM(total) FROM metric_rollups WHERE grain_ms = 3600000').pluck().get();
    expect(before).toBe(4);

    migrate(db, migrations, () => 2);
    const rows = db
      .prepare('SELECT id, retry_of, retry_of_id, superseded_by_id, retry_kind FROM executions ORDER BY id')
      .all();
    expect(rows).toEqual([
      { id: 1, retry_of: null, retry_of_id: null, superseded_by_id: 2, retry_kind: null },
      { id: 2, retry_of: null, retry_of_id: 1, superseded_by_id: null, retry_kind: 'retry' },
      { id: 3, retry_of: null, retry_of_id: null, superseded_by_id: 4, retry_kind: null },
      { id: 4, retry_of: '40', retry_of_id: 3, superseded_by_id: null, retry_kind: 'n8n' },
    ]);
    expect(
      db
        .prepare(
          `SELECT SUM(total) AS runs, SUM(succeeded) AS ok, SUM(failed + dead_lettered) AS errors, SUM(attempts) AS attempts,
             SUM(failed_attempts) AS failedAttempts FROM metric_rollups WHERE grain_ms = 3600000`,
        )
        .get(),
    ).toEqual({ runs: 2, ok: 2, errors: 0, attempts: 6, failedAttempts: 4 });
    db.close();
  });
});
