/**
 * Group commit: writes that arrive together share one transaction, and each caller's promise
 * settles only after that transaction has committed. With WAL and synchronous=NORMAL a commit is
 * what makes a write survive a crash of this process, so "answered" still means "durable"; what
 * is saved is the per-commit cost (lock, WAL frames, page rewrites of shared index pages), paid
 * once per batch instead of once per event.
 *
 * Each piece of work runs in its own savepoint inside the batch (a nested store.write): one that
 * throws is rolled back alone and rejects only its own caller. Events announced by the work are
 * published after the batch commits (the store's rule for nested writes).
 */
import type { Announce, Store } from './store';

export interface CommitQueue {
  /** Runs `work` in the next group transaction; resolves with its value once that has committed. */
  run<T>(work: (announce: Announce) => T): Promise<T>;
  /** Writes waiting for their batch now (for tests and benches). */
  readonly waiting: number;
}

export interface CommitQueueOptions {
  /** A batch commits at once when this many are waiting. Default 256. */
  maxBatch?: number;
  /**
   * When a batch that is not full commits. Default setImmediate: after the I/O callbacks of this
   * loop turn, so the requests that arrived together join, and no timer adds latency.
   */
  schedule?: (flush: () => void) => void;
}

interface Pending {
  work: (announce: Announce) => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createCommitQueue(store: Store, options: CommitQueueOptions = {}): CommitQueue {
  const maxBatch = options.maxBatch ?? 256;
  const schedule = options.schedule ?? ((flush: () => void) => void setImmediate(flush));
  let pending: Pending[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    let outcomes: Outcome[];
    try {
      outcomes = store.write(() =>
        batch.map((item): Outcome => {
          try {
            return { ok: true, value: store.write(item.work) };
          } catch (error) {
            return { ok: false, error };
          }
        }),
      );
    } catch (error) {
      // The commit itself failed (the database is busy or full): nothing of the batch was kept.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  return {
    run<T>(work: (announce: Announce) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (pending.length >= maxBatch) flush();
        else if (!scheduled) {
          scheduled = true;
          schedule(flush);
        }
      });
    },
    get waiting() {
      return pending.length;
    },
  };
}
