/**
 * The search index of runs (executions_fts), built in batches (0024_search_backlog.sql): rows
 * above the mark wait here and are indexed in order, a few hundred at a time, by a coalesced
 * background step, and always before anything reads the index (`catchUp`), so a search sees
 * every row exactly as a per-row trigger would have shown it. What it indexes is a run's event and
 * error (executions) and its payload (execution_bodies), read through the view execution_search.
 */
import type { Store } from './store';

/** Rows indexed per transaction by the background step (a search catches up in one go). */
const STEP_ROWS = 2_000;
/** How long new rows gather before the background step indexes them, ms. */
const GATHER_MS = 1_000;

export interface SearchIndex {
  /** Indexes every row not yet in the index; call before reading executions_fts. */
  catchUp(): void;
  /** New rows were written: index them soon, in the background. */
  soon(): void;
}

const byStore = new WeakMap<Store, SearchIndex>();

/** The store's search index (one per store, made on first use). */
export function searchIndex(store: Store): SearchIndex {
  let index = byStore.get(store);
  if (!index) {
    index = createSearchIndex(store);
    byStore.set(store, index);
  }
  return index;
}

function createSearchIndex(store: Store): SearchIndex {
  const { db } = store;
  const mark = db.prepare('SELECT indexed_through_id FROM search_state WHERE id = 1').pluck();
  const newest = db.prepare('SELECT coalesce(max(id), 0) FROM executions').pluck();
  const add = db.prepare(`INSERT INTO executions_fts (rowid, event, payload_json, error)
    SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM execution_search
    WHERE id > @from AND id <= @to AND (event IS NOT NULL OR payload_json IS NOT NULL OR error IS NOT NULL)`);
  const move = db.prepare('UPDATE search_state SET indexed_through_id = ? WHERE id = 1');
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Indexes up to `limit` rows past the mark (all when undefined); true when rows remain. */
  function step(limit?: number): boolean {
    return store.write(() => {
      const from = mark.get() as number;
      const last = newest.get() as number;
      if (last <= from) return false;
      const to = limit === undefined ? last : Math.min(last, from + limit);
      add.run({ from, to });
      move.run(to);
      return to < last;
    });
  }

  function background(): void {
    timer = undefined;
    if (!db.open) return;
    try {
      if (step(STEP_ROWS)) soon();
    } catch {
      // The store is busy or closing: searches still catch up first; try again later.
      soon();
    }
  }

  function soon(): void {
    if (timer !== undefined || !db.open) return;
    timer = setTimeout(background, GATHER_MS);
    timer.unref?.();
  }

  return {
    catchUp() {
      if ((newest.get() as number) > (mark.get() as number)) step();
    },
    soon,
  };
}
