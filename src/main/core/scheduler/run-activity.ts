import { TERMINAL_STATUSES } from '../../../shared/contract';
import type { Store } from '../db/store';

/**
 * The overlap policies' view of the shared executions table: is any of these local runs still
 * going (queued, dispatching, running, waiting, retrying…)? Runs pruned from history count as done.
 */
export function createRunActivity(store: Store): (executionIds: number[]) => boolean {
  const placeholders = TERMINAL_STATUSES.map(() => '?').join(', ');
  const active = store.db
    .prepare<[string, ...string[]], number>(
      `SELECT EXISTS (SELECT 1 FROM executions WHERE id IN (SELECT value FROM json_each(?))
       AND status NOT IN (${placeholders}))`,
    )
    .pluck();
  return (executionIds) =>
    executionIds.length > 0 && active.get(JSON.stringify(executionIds), ...TERMINAL_STATUSES) === 1;
}
