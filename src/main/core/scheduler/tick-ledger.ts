import type { ScheduleTick, TickOutcome } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { Store } from '../db/store';
import type { Logger } from '../logger';
import type { Emit } from '../ports';
import type { ScheduleRow, ScheduleStatements } from './schedule-rows';

export interface TickLedgerDeps {
  store: Store;
  statements: ScheduleStatements;
  emit: Emit;
  isRunActive: (executionIds: number[]) => boolean;
  logger: Logger;
}

/**
 * Writes the ledger: one row per tick, inserted before anything is emitted, so a tick already
 * in the ledger (handled before a restart) is never emitted again. Call inside `store.write`.
 */
export function createTickLedger(deps: TickLedgerDeps) {
  const { store, statements: sql, logger } = deps;
  // One reusable savepoint: better-sqlite3 nests it inside the enclosing write.
  const savepoint = store.db.transaction((work: () => unknown) => work());
  const inSavepoint = <T>(work: () => T): T => savepoint(work) as T;

  function previousRunActive(scheduleId: number): boolean {
    const ids = sql.recentFiredExecutions.all(scheduleId).flatMap((json) => JSON.parse(json) as number[]);
    return ids.length > 0 && deps.isRunActive(ids);
  }

  /** Records a tick with no run (missed, coalesced, skipped…). */
  function record(
    out: ScheduleTick[],
    row: ScheduleRow,
    tick: number,
    outcome: TickOutcome,
    reason: string,
    now: number,
    covers = 1,
  ): number | null {
    const info = sql.insertTick.run({
      schedule_id: row.id,
      tick_ms: tick,
      trigger: 'schedule',
      outcome,
      reason,
      fired_at_ms: null,
      covers,
      recorded_at_ms: now,
    });
    if (info.changes === 0) return null; // already in the ledger: this tick was handled before a restart
    const id = Number(info.lastInsertRowid);
    out.push({
      id,
      scheduleId: row.id,
      tickMs: tick,
      trigger: 'schedule',
      outcome,
      reason,
      firedAtMs: null,
      executionIds: [],
      covers,
      recordedAtMs: now,
    });
    return id;
  }

  /**
   * Emits the schedule's event for one tick and records it as fired. The ledger row is inserted
   * first: if it already exists the tick was enqueued before and nothing is emitted again.
   */
  function fire(
    out: ScheduleTick[],
    row: ScheduleRow,
    tick: number,
    trigger: 'schedule' | 'manual',
    reason: string,
    now: number,
    actor: string,
  ): ScheduleTick | null {
    const info = sql.insertTick.run({
      schedule_id: row.id,
      tick_ms: tick,
      trigger,
      outcome: 'fired',
      reason,
      fired_at_ms: now,
      covers: 1,
      recorded_at_ms: now,
    });
    if (info.changes === 0) return null;
    const id = Number(info.lastInsertRowid);
    const key = trigger === 'schedule' ? `schedule:${row.id}:${tick}` : `schedule:${row.id}:manual:${tick}`;
    let settled: { outcome: TickOutcome; reason: string; ids: number[] };
    try {
      // A savepoint: a refused emit leaves none of its own writes behind, but the ledger row stays.
      const result = inSavepoint(() =>
        deps.emit({
          event: row.event,
          payload: JSON.parse(row.payload_json) as unknown,
          idempotencyKey: key,
          source: 'schedule',
          actor,
        }),
      );
      settled = { outcome: 'fired', reason, ids: result.executionIds };
    } catch (error) {
      if (!(error instanceof AppError) || trigger === 'manual') throw error;
      settled = { outcome: 'failed', reason: `The event could not be enqueued: ${error.message}`, ids: [] };
      // debug: the ledger already says why, and a seconds cron without a mapping would flood the log.
      logger.debug('A scheduled tick could not be enqueued', { scheduleId: row.id, tick, code: error.code });
    }
    sql.settleTick.run({
      id,
      outcome: settled.outcome,
      reason: settled.reason,
      fired_at_ms: settled.outcome === 'fired' ? now : null,
      execution_ids_json: JSON.stringify(settled.ids),
    });
    const tickOut: ScheduleTick = {
      id,
      scheduleId: row.id,
      tickMs: tick,
      trigger,
      outcome: settled.outcome,
      reason: settled.reason,
      firedAtMs: settled.outcome === 'fired' ? now : null,
      executionIds: settled.ids,
      covers: 1,
      recordedAtMs: now,
    };
    out.push(tickOut);
    return tickOut;
  }

  return { record, fire, previousRunActive, inSavepoint };
}
