import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import { createDeferredRollups } from './rollup-batch';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

/** A store with five runs in flight and one already canceled, all in the same hour. */
function store() {
  const dir = tempDir();
  const s = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => 1 });
  cleanups.push(dir.remove, () => s.close());
  const insert = s.db.prepare(
    `INSERT INTO executions (id, source, instance_id, workflow_id, mapping_id, status, event, attempts,
       started_at_ms, created_at_ms, updated_at_ms)
     VALUES (?, 'local', 'i1', 'w1', 'm1', ?, 'order.created', 1, 1000, ?, 1000)`,
  );
  s.write(() => {
    for (let id = 1; id <= 5; id++) insert.run(id, 'dispatching', 3_600_000 + id);
    insert.run(6, 'canceled', 3_600_006);
  });
  const finish = s.db.prepare(
    `UPDATE executions SET status = ?, response_status = ?, finished_at_ms = ?, duration_ms = ? - started_at_ms WHERE id = ?`,
  );
  const rollups = () =>
    (
      s.db
        .prepare(
          `SELECT grain_ms, bucket_ms, total, succeeded, failed, canceled, duration_count, duration_sum_ms, attempts,
             failed_attempts, hist_json FROM metric_rollups ORDER BY grain_ms, bucket_ms`,
        )
        .all() as { grain_ms: number; hist_json: string }[]
    ).map((r) => ({ ...r, hist_json: JSON.parse(r.hist_json) as unknown }));
  return { s, finish, rollups };
}

/** The same outcomes: four succeed (one of them the canceled run, finished late), one fails. */
const outcomes: [number, string, number, number][] = [
  [1, 'succeeded', 200, 1_010],
  [2, 'succeeded', 200, 1_500],
  [3, 'failed', 500, 3_000],
  [4, 'succeeded', 200, 1_010],
  [6, 'succeeded', 200, 2_000],
];

describe('rollups per worker turn (createDeferredRollups)', () => {
  it('ends with exactly the rollups the per-row triggers give', () => {
    const perRow = store();
    perRow.s.write(() => {
      for (const [id, status, http, at] of outcomes) perRow.finish.run(status, http, at, at, id);
    });
    const perTurn = store();
    const deferred = createDeferredRollups(perTurn.s.db);
    perTurn.s.write(() =>
      deferred.around(() => {
        for (const [id, status, http, at] of outcomes) {
          deferred.hold(id);
          perTurn.finish.run(status, http, at, at, id);
        }
        // Held until the end of the turn: only the canceled run (not held, its triggers ran) counts yet.
        const inTurn = perTurn.rollups().find((r) => r.grain_ms === 3_600_000);
        expect(inTurn).toMatchObject({ total: 1, canceled: 0, succeeded: 1 });
      }),
    );
    expect(perTurn.rollups()).toEqual(perRow.rollups());
    expect(perTurn.s.db.prepare('SELECT count(*) FROM metric_deferred').pluck().get()).toBe(0);
  });

  it('counts a run finished in a turn that then fails nowhere: the rollback takes both back', () => {
    const t = store();
    const before = t.rollups();
    const deferred = createDeferredRollups(t.s.db);
    expect(() =>
      t.s.write(() =>
        deferred.around(() => {
          deferred.hold(1);
          t.finish.run('succeeded', 200, 1_010, 1_010, 1);
          throw new Error('the turn failed');
        }),
      ),
    ).toThrow('the turn failed');
    expect(t.rollups()).toEqual(before);
  });
});
