import { createHash } from 'node:crypto';
import type { Store } from '../db/store';

export type AcceptOnce<T> = { accepted: true; value: T } | { accepted: false };

/** Remembers which signed requests were accepted, so each is accepted once. */
export interface ReplayLedger {
  /**
   * Runs `accept` unless this signature was accepted before, and records the signature (until
   * `expiresAtMs`) in the same transaction as whatever `accept` writes: when `accept` throws, the
   * signature is not used up and the sender may retry the very same request.
   */
  acceptOnce<T>(signature: string, expiresAtMs: number, accept: () => T): AcceptOnce<T>;
}

/**
 * The ledger in the store (table ingest_replay), so a restart inside the timestamp window does
 * not reopen it. Expired rows are pruned as new ones arrive (an indexed range delete).
 */
export function sqliteReplayLedger(store: Store, now: () => number): ReplayLedger {
  const prune = store.db.prepare('DELETE FROM ingest_replay WHERE expires_at_ms < ?');
  const remember = store.db.prepare(
    'INSERT INTO ingest_replay (signature_sha256, expires_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING',
  );
  const earliest = store.db.prepare('SELECT min(expires_at_ms) FROM ingest_replay').pluck();
  // Pruned when a row is due, not on every request: the earliest expiry is known in memory.
  let dueAtMs = -Infinity;
  return {
    acceptOnce<T>(signature: string, expiresAtMs: number, accept: () => T): AcceptOnce<T> {
      const digest = createHash('sha256').update(signature).digest();
      // Joins the door's group commit (its item has a savepoint): accepted and remembered together.
      return store.join((): AcceptOnce<T> => {
        const t = now();
        if (t > dueAtMs) {
          prune.run(t);
          dueAtMs = (earliest.get() as number | null) ?? Infinity;
        }
        if (remember.run(digest, expiresAtMs).changes === 0) return { accepted: false };
        dueAtMs = Math.min(dueAtMs, expiresAtMs);
        return { accepted: true, value: accept() };
      });
    },
  };
}
