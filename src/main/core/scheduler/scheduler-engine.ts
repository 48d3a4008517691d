import type { Misfire, ScheduleTick } from '../../../shared/contract';
import { localIso } from '../../../shared/format-time';
import { AppError } from '../../../shared/result';
import type { Announce, Store } from '../db/store';
import type { Logger } from '../logger';
import type { Emit } from '../ports';
import { misfireOf, timingOf, type ScheduleRow, type ScheduleStatements } from './schedule-rows';
import { createTickLedger } from './tick-ledger';
import { compileTiming, type CompiledTiming } from './timing';

export interface EngineDeps {
  store: Store;
  statements: ScheduleStatements;
  emit: Emit;
  /** True while any of these local executions has not reached a terminal status. */
  isRunActive: (executionIds: number[]) => boolean;
  logger: Logger;
  /** Source of jitter in [0, 1); injected so tests are deterministic. */
  random?: () => number;
  /**
   * A tick evaluated more than this many ms after it was due counts as misfired (the scheduler
   * was not running) and goes through the misfire policy instead of firing normally. Default 60 s.
   */
  misfireThresholdMs?: number;
}

/** Backlog ticks listed one by one per evaluation; older ones are summarised in one `missed` row. */
const MAX_LISTED_BACKLOG = 1_000;
/** Ticks carried by one schedules:tick event (the rest are counted). */
const TICKS_PER_EVENT = 100;
/** Enumeration stops here; a summary then says "at least". */
const MAX_COUNTED_BACKLOG = 200_000;

interface Parsed {
  updatedAtMs: number;
  timing: CompiledTiming;
  misfire: Misfire;
  zone: string;
}

interface Due {
  tick: number;
  fire: number;
}

/**
 * Evaluates due ticks. Every tick it looks at is recorded in the ledger in the same transaction
 * as the runs it emitted, so a crash leaves either both or neither.
 */
export function createSchedulerEngine(deps: EngineDeps) {
  const { store, statements: sql, logger } = deps;
  const random = deps.random ?? Math.random;
  const threshold = deps.misfireThresholdMs ?? 60_000;
  const parsed = new Map<number, Parsed>();
  const ledger = createTickLedger(deps);
  const { record, fire, previousRunActive, inSavepoint } = ledger;

  /** Timing, misfire policy and zone of a row, parsed once per edit of the schedule. */
  function parsedFor(row: ScheduleRow): Parsed {
    const cached = parsed.get(row.id);
    if (cached && cached.updatedAtMs === row.updated_at_ms) return cached;
    const timing = timingOf(row);
    const fresh: Parsed = {
      updatedAtMs: row.updated_at_ms,
      timing: compileTiming(timing, row.created_at_ms),
      misfire: misfireOf(row),
      zone: timing.timeZone,
    };
    parsed.set(row.id, fresh);
    return fresh;
  }
  const timingFor = (row: ScheduleRow): CompiledTiming => parsedFor(row).timing;

  const jitter = (row: ScheduleRow) => (row.jitter_ms > 0 ? Math.floor(random() * row.jitter_ms) : 0);

  /** The next tick strictly after `afterMs` and when it fires (tick + jitter). */
  function nextDue(row: ScheduleRow, afterMs: number): Due | null {
    const tick = timingFor(row).nextAfter(afterMs);
    return tick === null ? null : { tick, fire: tick + jitter(row) };
  }

  /** Fires one on-time tick unless the overlap policy holds it back. Returns the buffered tick, if any. */
  function fireUnderOverlap(
    out: ScheduleTick[],
    row: ScheduleRow,
    tick: number,
    reason: string,
    now: number,
    buffered: number | null,
  ) {
    if (row.overlap === 'allow' || !previousRunActive(row.id)) {
      fire(out, row, tick, 'schedule', reason, now, `schedule:${row.id}`);
      return buffered;
    }
    if (row.overlap === 'buffer' && buffered === null) {
      record(
        out,
        row,
        tick,
        'buffered',
        'The previous run is still going; buffered to run when it finishes (overlap: buffer one).',
        now,
      );
      return tick;
    }
    const why =
      row.overlap === 'buffer'
        ? 'The previous run is still going and one tick is already buffered (overlap: buffer one).'
        : 'The previous run is still going (overlap: skip).';
    record(out, row, tick, 'skipped', why, now);
    return buffered;
  }

  /** Collects the ticks due by `now`, keeping the newest MAX_LISTED_BACKLOG and counting the rest. */
  function collectDue(row: ScheduleRow, now: number) {
    const due: Due[] = [];
    let overflow = { count: 0, first: 0, last: 0 };
    let next: Due | null =
      row.next_tick_ms === null ? null : { tick: row.next_tick_ms, fire: row.next_fire_ms ?? row.next_tick_ms };
    let counted = 0;
    while (next !== null && next.fire <= now) {
      due.push(next);
      if (due.length > MAX_LISTED_BACKLOG) {
        const dropped = due.shift();
        if (dropped) {
          overflow = {
            count: overflow.count + 1,
            first: overflow.count ? overflow.first : dropped.tick,
            last: dropped.tick,
          };
        }
      }
      if (++counted >= MAX_COUNTED_BACKLOG) {
        // Too many to even count (a seconds cron after weeks away): summarise and resume from now.
        overflow = {
          count: overflow.count + due.length,
          first: overflow.count ? overflow.first : (due[0]?.tick ?? 0),
          last: due.at(-1)?.tick ?? overflow.last,
        };
        due.length = 0;
        return { due, overflow, next: nextDue(row, now), capped: true };
      }
      next = nextDue(row, next.tick);
    }
    return { due, overflow, next, capped: false };
  }

  /** Applies the misfire policy to late ticks (all within the catch-up window), oldest first. */
  function catchUp(out: ScheduleTick[], row: ScheduleRow, late: Due[], now: number, buffered: number | null) {
    const { misfire, zone } = parsedFor(row);
    const fireCount = misfire.policy === 'skip' ? 0 : misfire.policy === 'run_once' ? 1 : misfire.maxRuns;
    const firstFired = Math.max(0, late.length - fireCount);
    const newest = late.at(-1);
    late.forEach((due, index) => {
      if (index >= firstFired) return;
      if (misfire.policy === 'skip') {
        record(out, row, due.tick, 'missed', 'Due while the scheduler was not running (misfire: skip).', now);
      } else if (misfire.policy === 'run_once' && newest) {
        const into = localIso(newest.tick, zone).replace('T', ' ');
        record(
          out,
          row,
          due.tick,
          'coalesced',
          `Due while the scheduler was not running; coalesced into the catch-up run of ${into} (misfire: run once).`,
          now,
        );
      } else {
        record(
          out,
          row,
          due.tick,
          'missed',
          `Due while the scheduler was not running; beyond the ${misfire.maxRuns} most recent ticks caught up (misfire: run each up to ${misfire.maxRuns}).`,
          now,
        );
      }
    });
    const toFire = late.slice(firstFired);
    toFire.forEach((due, index) => {
      const reason =
        misfire.policy === 'run_once'
          ? `Caught up after downtime (misfire: run once${late.length > 1 ? `, ${late.length - 1} earlier tick(s) coalesced` : ''}).`
          : `Caught up after downtime (misfire: run each, ${index + 1} of ${toFire.length}).`;
      // Catch-up runs of one evaluation go out back to back; overlap applies against older runs.
      if (index === 0) buffered = fireUnderOverlap(out, row, due.tick, reason, now, buffered);
      else fire(out, row, due.tick, 'schedule', reason, now, `schedule:${row.id}`);
    });
    return buffered;
  }

  function evaluate(out: ScheduleTick[], row: ScheduleRow, now: number): void {
    const { due, overflow, next, capped } = collectDue(row, now);
    const { misfire, zone } = parsedFor(row);
    const windowMs = misfire.windowMs;
    let buffered = row.buffered_tick_ms;
    if (overflow.count > 0) {
      const what = `${capped ? 'At least ' : ''}${overflow.count} ticks up to ${localIso(overflow.last, zone).replace('T', ' ')}`;
      record(
        out,
        row,
        overflow.first,
        'missed',
        `${what} were due while the scheduler was not running; too many to list one by one.`,
        now,
        overflow.count,
      );
    }
    const late: Due[] = [];
    for (const d of due) {
      if (d.tick < now - windowMs) {
        record(
          out,
          row,
          d.tick,
          'missed',
          `Older than the catch-up window (${Math.round(windowMs / 60_000)} min) when the scheduler came back.`,
          now,
        );
      } else if (now - d.fire > threshold) {
        late.push(d);
      } else {
        if (late.length) buffered = catchUp(out, row, late.splice(0), now, buffered);
        buffered = fireUnderOverlap(out, row, d.tick, 'On time.', now, buffered);
      }
    }
    if (late.length) buffered = catchUp(out, row, late, now, buffered);
    sql.advance.run({
      id: row.id,
      last_evaluated_ms: now,
      next_tick_ms: next?.tick ?? null,
      next_fire_ms: next?.fire ?? null,
      buffered_tick_ms: buffered,
    });
  }

  /** Fires a buffered tick once the run it waited for has finished. */
  function releaseBuffered(out: ScheduleTick[], row: ScheduleRow, now: number): void {
    const tick = row.buffered_tick_ms;
    if (tick === null || previousRunActive(row.id)) return;
    const waiting = sql.bufferedTick.get(row.id, tick);
    sql.clearBuffered.run(row.id);
    if (!waiting) return;
    // The buffered row becomes the fired row: delete it so `fire` records it afresh with its runs.
    sql.deleteTick.run(waiting.id);
    fire(
      out,
      row,
      tick,
      'schedule',
      'Buffered behind the previous run; fired when it finished (overlap: buffer one).',
      now,
      `schedule:${row.id}`,
    );
  }

  /** Evaluates one schedule in a savepoint: a bug in one cannot stop the others. */
  function isolated(out: ScheduleTick[], row: ScheduleRow, work: (sink: ScheduleTick[]) => void): void {
    const mine: ScheduleTick[] = [];
    try {
      inSavepoint(() => work(mine));
      out.push(...mine);
    } catch (error) {
      logger.error('Evaluating a schedule failed; it will be tried again', { scheduleId: row.id, error });
    }
  }

  /**
   * Evaluates every tick due by `now` (epoch ms): fires, skips, buffers or records it missed or
   * coalesced, and moves each schedule's next tick. Returns the ledger rows written. `limit`
   * bounds the schedules evaluated in this one transaction, so a minute boundary where
   * thousands come due does not hold the event loop; the caller runs again for the rest.
   */
  function runDue(now: number, limit = Number.MAX_SAFE_INTEGER): ScheduleTick[] {
    return runDueBatch(now, limit).ticks;
  }

  /** runDue, also saying whether the batch was full (more schedules may be due). */
  function runDueBatch(now: number, limit: number): { ticks: ScheduleTick[]; full: boolean } {
    return store.write((announce: Announce) => {
      const out: ScheduleTick[] = [];
      for (const row of sql.buffered.all()) isolated(out, row, (sink) => releaseBuffered(sink, row, now));
      const due = sql.due.all(now, limit);
      for (const row of due) isolated(out, row, (sink) => evaluate(sink, row, now));
      // Windows only need to know that ledgers moved; a sample keeps the event small at scale.
      if (out.length) announce('schedules:tick', { ticks: out.slice(0, TICKS_PER_EVENT), count: out.length });
      return { ticks: out, full: due.length >= limit };
    });
  }

  /** Fires a schedule's event now at the operator's request (inside the caller's write). */
  function runNow(row: ScheduleRow, now: number, actor: string): ScheduleTick {
    const out: ScheduleTick[] = [];
    const tick = fire(out, row, now, 'manual', `Run now by ${actor}.`, now, actor);
    if (!tick) throw new AppError('CONFLICT', 'This schedule was already run now at this very moment; try again.');
    return tick;
  }

  return {
    runDue,
    runDueBatch,
    runNow,
    nextDue,
    timingFor,
    forget: (id: number) => parsed.delete(id),
  };
}

export type SchedulerEngine = ReturnType<typeof createSchedulerEngine>;
