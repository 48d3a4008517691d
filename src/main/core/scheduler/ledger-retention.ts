import type { Store } from '../db/store';

export interface LedgerRetention {
  /** Ticks older than this (by tick time) are deleted, in ms; default 30 days. */
  maxAgeMs: number;
  /** At most this many ticks are kept per schedule, the newest; default 10,000. */
  maxPerSchedule: number;
}

export const DEFAULT_RETENTION: LedgerRetention = { maxAgeMs: 30 * 86_400_000, maxPerSchedule: 10_000 };

/**
 * Keeps the ledger bounded: a seconds cron records 86,400 ticks a day. Both deletes walk the
 * (schedule_id, tick_ms, trigger) index, one schedule at a time.
 */
export function createLedgerPruner(store: Store) {
  const ids = store.db.prepare<[], number>('SELECT id FROM schedules').pluck();
  const olderThan = store.db.prepare<[number, number]>(
    'DELETE FROM schedule_ticks WHERE schedule_id = ? AND tick_ms < ?',
  );
  const nthNewest = store.db
    .prepare<[number, number], number>(
      'SELECT tick_ms FROM schedule_ticks WHERE schedule_id = ? ORDER BY tick_ms DESC LIMIT 1 OFFSET ?',
    )
    .pluck();

  /** Deletes what retention no longer keeps; returns how many ledger rows went. */
  return function prune(now: number, retention: LedgerRetention = DEFAULT_RETENTION): number {
    return store.write(() => {
      let deleted = 0;
      for (const id of ids.all()) {
        deleted += olderThan.run(id, now - retention.maxAgeMs).changes;
        const cutoff = nthNewest.get(id, retention.maxPerSchedule - 1);
        if (cutoff !== undefined) deleted += olderThan.run(id, cutoff).changes;
      }
      return deleted;
    });
  };
}
