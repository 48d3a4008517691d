import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import type { Emit } from '../ports';
import { createLedgerPruner, DEFAULT_RETENTION, type LedgerRetention } from './ledger-retention';
import { createRunActivity } from './run-activity';
import { scheduleStatements } from './schedule-rows';
import { createSchedulerEngine, type SchedulerEngine } from './scheduler-engine';
import { createSchedulesService, type SchedulesService } from './schedules-service';

export interface SchedulesModuleOptions {
  /** Where fired ticks go: the dispatch pipeline's Emit port. */
  emit: Emit;
  /** Overlap policies ask this; defaults to reading the shared executions table. */
  isRunActive?: (executionIds: number[]) => boolean;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Longest sleep between evaluations, in ms (default 1000): bounds lateness after clock jumps. */
  maxSleepMs?: number;
  /** Start the evaluation timer in start() (default true); tests call engine.runDue themselves. */
  timer?: boolean;
  /** Schedules evaluated per transaction (default 200); more due ones follow on the next turn. */
  batchSize?: number;
  /** How much ledger to keep (read at each hourly prune); default 30 days and 10,000 per schedule. */
  retention?: () => LedgerRetention;
}

/**
 * The scheduler: operator calls, plus a timer that evaluates due ticks on the injected clock.
 * start() first catches up on everything that came due while Flightdeck was not running.
 */
export function createSchedulesModule(
  ctx: CoreContext,
  audit: AuditLog,
  options: SchedulesModuleOptions,
): FeatureModule<'schedules'> & {
  service: SchedulesService;
  engine: SchedulerEngine;
  prune: ReturnType<typeof createLedgerPruner>;
} {
  const statements = scheduleStatements(ctx.store);
  const engine = createSchedulerEngine({
    store: ctx.store,
    statements,
    emit: options.emit,
    isRunActive: options.isRunActive ?? createRunActivity(ctx.store),
    logger: ctx.logger,
    ...(options.random ? { random: options.random } : {}),
  });
  const service = createSchedulesService({
    store: ctx.store,
    statements,
    engine,
    audit,
    now: () => ctx.clock.now(),
    operator: ctx.operator,
  });
  const maxSleep = options.maxSleepMs ?? 1000;
  const batch = options.batchSize ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const prune = createLedgerPruner(ctx.store);
  let lastPruneMs = Number.NEGATIVE_INFINITY;

  function pruneHourly(now: number): void {
    if (now - lastPruneMs < 3_600_000) return;
    lastPruneMs = now;
    try {
      const deleted = prune(now, options.retention?.() ?? DEFAULT_RETENTION);
      if (deleted) ctx.logger.info('Pruned old schedule ticks', { deleted });
    } catch (error) {
      ctx.logger.error('Pruning the schedule ledger failed; will retry in an hour', { error });
    }
  }

  function loop(): void {
    if (stopped) return;
    const now = ctx.clock.now();
    let full = false;
    try {
      full = engine.runDueBatch(now, batch).full;
    } catch (error) {
      ctx.logger.error('The scheduler could not evaluate due ticks; retrying', { error });
    }
    if (!full) pruneHourly(now);
    const earliest = statements.earliestFire.get() ?? Number.POSITIVE_INFINITY;
    // A full batch: continue on the next turn of the event loop, letting calls in between.
    const sleep = full ? 0 : Math.max(10, Math.min(maxSleep, earliest - ctx.clock.now()));
    timer = setTimeout(loop, sleep);
    timer.unref();
  }

  return {
    service,
    engine,
    prune,
    handlers: {
      'schedules:list': () => service.list(),
      'schedules:get': ({ id }) => service.get(id),
      'schedules:create': ({ draft }) => service.create(draft),
      'schedules:update': ({ id, draft }) => service.update(id, draft),
      'schedules:remove': ({ id }) => service.remove(id),
      'schedules:pause': ({ ids, note }) => service.pause(ids, note),
      'schedules:resume': ({ ids, note }) => service.resume(ids, note),
      'schedules:runNow': ({ id }) => service.runNow(id),
      'schedules:preview': ({ timing, count }) => service.preview(timing, count),
      'schedules:ticks': (args) => service.ticks(args),
    },
    start() {
      if (options.timer !== false) loop();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    restored() {
      // Restored rows reuse ids with other timings: parse afresh. A next tick the backup left in
      // the past belonged to the console before the restore (which may have fired it): plan from
      // now instead of catching it up as a misfire, so nothing runs twice.
      const at = ctx.clock.now();
      ctx.store.write((announce) => {
        const rows = statements.all.all();
        for (const row of rows) {
          engine.forget(row.id);
          if (!row.enabled || row.next_fire_ms === null || row.next_fire_ms > at) continue;
          const next = engine.nextDue(row, at);
          statements.advance.run({
            id: row.id,
            last_evaluated_ms: at,
            next_tick_ms: next?.tick ?? null,
            next_fire_ms: next?.fire ?? null,
            buffered_tick_ms: row.buffered_tick_ms,
          });
        }
        announce('schedules:changed', { ids: rows.map((r) => r.id) });
      });
    },
  };
}
