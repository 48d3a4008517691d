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
    `INSERT INTO executions (id, source, status, event, error, created_at_ms, updated_at_ms)
     VALUES (?, 'local', 'queued', ?, NULL, 1, 1)`,
  );
  // A run's payload lives beside its row (0026_execution_bodies.sql), written after it, as the
  // pipeline does, or before it, as a restore does.
  const insertBody = s.db.prepare('INSERT INTO execution_bodies (id, payload_json) VALUES (?, ?)');
  const add = (id: number, word: string, bodyFirst = false) =>
    s.write(() => {
      const body = () => insertBody.run(id, JSON.stringify({ note: word }));
      if (bodyFirst) body();
      insert.run(id, 'order.created');
      if (!bodyFirst) body();
    });
  const setPayload = (id: number, word: string | null) =>
    s.write(() =>
      word === null
        ? s.db.prepare('DELETE FROM execution_bodies WHERE id = ?').run(id)
        : s.db
            .prepare('UPDATE execution_bodies SET payload_json = ? WHERE id = ?')
            .run(JSON.stringify({ note: word }), id),
    );
  const setError = (id: number, error: string) =>
    s.write(() => s.db.prepare('UPDATE executions SET error = ? WHERE id = ?').run(error, id));
  const remove = (id: number) => s.write(() => s.db.prepare('DELETE FROM executions WHERE id = ?').run(id));
  const mark = () => s.db.prepare('SELECT indexed_through_id FROM search_state').pluck().get() as number;
  // FTS5's check of an external-content index against its table (rank 1): throws on any difference.
  const check = () =>
    s.db.prepare("INSERT INTO executions_fts (executions_fts, rank) VALUES ('integrity-check', 1)").run();
  const indexed = (word: string) =>
    s.db
      .prepare('SELECT rowid FROM executions_fts WHERE executions_fts MATCH ? ORDER BY rowid')
      .pluck()
      .all(word) as number[];
  return { s, add, setPayload, setError, remove, mark, check, indexed };
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

  it('indexes a payload from execution_bodies, whichever row comes first, and follows its changes', () => {
    const t = store();
    t.add(1, 'apple');
    t.add(2, 'banana', true);
    searchIndex(t.s).catchUp();
    expect(t.indexed('apple')).toEqual([1]);
    expect(t.indexed('banana')).toEqual([2]);
    // At or below the mark: the triggers of both tables keep the entry in step.
    t.remove(2);
    t.add(2, 'cherry', true);
    t.remove(1);
    t.add(1, 'damson');
    expect(t.indexed('cherry')).toEqual([2]);
    expect(t.indexed('damson')).toEqual([1]);
    t.setPayload(1, 'elder');
    expect(t.indexed('damson')).toEqual([]);
    expect(t.indexed('elder')).toEqual([1]);
    t.setPayload(2, null);
    expect(t.indexed('cherry')).toEqual([]);
    expect(t.indexed('created')).toEqual([1, 2]); // the event is still there
    t.check();
    // A run's body goes with it.
    t.remove(1);
    expect(t.s.db.prepare('SELECT count(*) FROM execution_bodies').pluck().get()).toBe(0);
    t.check();
  });
});
