import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import { migrations } from './migrations';
import { searchIndex } from './search-index';
import { openStore } from './store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function store() {
  const dir = tempDir();
  const s = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => 1 });
  cleanups.push(dir.remove, () => s.close());
  const insert = s.db.prepare(
    `INSERT INTO executions (id, source, status, event, payload_json, error, created_at_ms, updated_at_ms)
     VALUES (?, 'local', 'queued', ?, ?, NULL, 1, 1)`,
  );
  const add = (id: number, word: string) =>
    s.write(() => insert.run(id, 'order.created', JSON.stringify({ note: word })));
  const setError = (id: number, error: string) =>
    s.write(() => s.db.prepare('UPDATE executions SET error = ? WHERE id = ?').run(error, id));
  const remove = (id: number) => s.write(() => s.db.prepare('DELETE FROM executions WHERE id = ?').run(id));
  const mark = () => s.db.prepare('SELECT indexed_through_id FROM search_state').pluck().get() as number;
  // FTS5's check of an external-content index against its table (rank 1): throws on any difference.
  const check = () => s.db.prepare("INSERT INTO executions_fts (executions_fts, rank) VALUES ('integrity-check', 1)").run();
  const indexed = (word: string) =>
    s.db
      .prepare('SELECT rowid FROM executions_fts WHERE executions_fts MATCH ? ORDER BY rowid')
      .pluck()
      .all(word) as number[];
  return { s, add, setError, remove, mark, check, indexed };
}

describe('search index in batches (0024_search_backlog)', () => {
  it('leaves new rows out until a catch-up, which indexes them as they are by then', () => {
    const t = store();
    t.add(1, 'apple');
    t.add(2, 'banana');
    expect(t.indexed('apple')).toEqual([]);
    // Changed and removed before they were indexed: the triggers leave them to the catch-up.
    t.setError(2, 'cherry broke');
    t.add(3, 'apple');
    t.remove(3);
    searchIndex(t.s).catchUp();
    expect(t.mark()).toBe(2);
    expect(t.indexed('apple')).toEqual([1]);
    expect(t.indexed('cherry')).toEqual([2]);
    t.check();
  });

  it('keeps indexed rows in step through the triggers, and indexes a reused id at once', () => {
    const t = store();
    t.add(1, 'apple');
    t.add(2, 'banana');
    searchIndex(t.s).catchUp();
    t.setError(1, 'cherry broke');
    expect(t.indexed('cherry')).toEqual([1]);
    t.remove(2);
    expect(t.indexed('banana')).toEqual([]);
    // Id 2 is at or below the mark: in the index at once, or a later trigger would corrupt it.
    t.add(2, 'damson');
    expect(t.indexed('damson')).toEqual([2]);
    t.setError(2, 'elder');
    t.check();
    t.add(3, 'fig');
    searchIndex(t.s).catchUp();
    expect(t.indexed('fig')).toEqual([3]);
    t.check();
  });

  it('indexes in the background without a search asking', async () => {
    const t = store();
    t.add(1, 'apple');
    searchIndex(t.s).soon();
    await expect.poll(() => t.indexed('apple'), { timeout: 10_000 }).toEqual([1]);
    t.check();
  });

  it('starts with every existing row indexed (the mark is the newest row when the migration runs)', () => {
    const t = store();
    expect(t.mark()).toBe(0);
  });
});
