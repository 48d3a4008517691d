import { executionFilterSchema, type ExecutionFilter } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { Store } from '../db/store';

/** Named filters of the executions list. Names are unique: saving a name again replaces it. */
export function createSavedViews(store: Store, now: () => number) {
  const { db } = store;
  const all = db.prepare('SELECT id, name, filter_json FROM saved_views ORDER BY name');
  const upsert = db.prepare(`INSERT INTO saved_views (name, filter_json, created_at_ms) VALUES (?, ?, ?)
    ON CONFLICT(name) DO UPDATE SET filter_json = excluded.filter_json RETURNING id`);
  const del = db.prepare('DELETE FROM saved_views WHERE id = ?');

  const list = () =>
    (all.all() as { id: number; name: string; filter_json: string }[]).flatMap((r) => {
      const filter = executionFilterSchema.safeParse(JSON.parse(r.filter_json));
      return filter.success ? [{ id: r.id, name: r.name, filter: filter.data }] : [];
    });

  return {
    list,
    save(name: string, filter: ExecutionFilter) {
      const id = store.write(() => (upsert.get(name, JSON.stringify(filter), now()) as { id: number }).id);
      return { id, name, filter };
    },
    remove(id: number) {
      const removed = store.write(() => del.run(id).changes > 0);
      if (!removed) throw new AppError('NOT_FOUND', `No saved view ${id}.`);
      return { removed };
    },
  };
}
