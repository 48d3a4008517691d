import type { CallArgs, Schedule, ScheduleDraft, ScheduleTick, ScheduleTiming } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { Announce, Store } from '../db/store';
import type { SchedulerEngine } from './scheduler-engine';
import { toSchedule, toTick, type ScheduleRow, type ScheduleStatements, type TickRow } from './schedule-rows';
import { compileTiming, upcomingTicks } from './timing';

export interface ServiceDeps {
  store: Store;
  statements: ScheduleStatements;
  engine: SchedulerEngine;
  audit: AuditLog;
  now: () => number;
  operator: () => string;
}

/** The operator's side of the scheduler: create, edit, pause, resume, run now, read the ledger. */
export function createSchedulesService(deps: ServiceDeps) {
  const { store, statements: sql, engine, audit, now, operator } = deps;
  const { db } = store;

  const insert = db.prepare(`INSERT INTO schedules
    (name, event, payload_json, timing_json, jitter_ms, overlap, misfire_json, enabled, note,
     last_evaluated_ms, created_at_ms, updated_at_ms)
    VALUES (@name, @event, @payload_json, @timing_json, @jitter_ms, @overlap, @misfire_json, 1, NULL,
     @now, @now, @now)`);
  const replace = db.prepare(`UPDATE schedules SET name = @name, event = @event, payload_json = @payload_json,
    timing_json = @timing_json, jitter_ms = @jitter_ms, overlap = @overlap, misfire_json = @misfire_json,
    last_evaluated_ms = @now, updated_at_ms = @now WHERE id = @id`);
  const setEnabled = db.prepare(
    'UPDATE schedules SET enabled = @enabled, note = @note, last_evaluated_ms = @now, updated_at_ms = @now WHERE id = @id',
  );
  const setNext = db.prepare('UPDATE schedules SET next_tick_ms = ?, next_fire_ms = ? WHERE id = ?');
  const dropBuffered = db.prepare('UPDATE schedules SET buffered_tick_ms = NULL WHERE id = ?');
  const skipBufferedTick = db.prepare(
    `UPDATE schedule_ticks SET outcome = 'skipped', reason = 'The schedule was paused before its buffered tick could run.'
     WHERE schedule_id = ? AND outcome = 'buffered'`,
  );
  const remove = db.prepare('DELETE FROM schedules WHERE id = ?');

  function rowOf(id: number): ScheduleRow {
    const row = sql.byId.get(id);
    if (!row)
      throw new AppError('NOT_FOUND', `Schedule ${id} does not exist (it may have been removed); refresh the list.`);
    return row;
  }
  const view = (row: ScheduleRow): Schedule => toSchedule(row, sql.lastTick.get(row.id));
  const get = (id: number): Schedule => view(rowOf(id));

  /** Validates cron and zone (VALIDATION naming `draft.timing.…`) before anything is written. */
  function columns(draft: ScheduleDraft, at: number) {
    const timing = compileTiming(draft.timing, at, 'draft.timing');
    if (draft.timing.kind === 'once' && timing.nextAfter(at) === null) {
      throw new AppError(
        'VALIDATION',
        `draft.timing.at: ${draft.timing.at} in ${draft.timing.timeZone} is already past; pick a later time.`,
        {
          details: [{ path: ['draft', 'timing', 'at'], message: 'in the past' }],
        },
      );
    }
    return {
      name: draft.name,
      event: draft.event,
      payload_json: JSON.stringify(draft.payload),
      timing_json: JSON.stringify(draft.timing),
      jitter_ms: draft.jitterSeconds * 1000,
      overlap: draft.overlap,
      misfire_json: JSON.stringify(draft.misfire),
      now: at,
    };
  }

  /** Counts ticks afresh from `from`: nothing before it is due. */
  function reschedule(id: number, from: number): void {
    const next = engine.nextDue(rowOf(id), from);
    setNext.run(next?.tick ?? null, next?.fire ?? null, id);
  }

  const changed = (announce: Announce, ids: number[]) => announce('schedules:changed', { ids });

  function create(draft: ScheduleDraft): Schedule {
    const at = now();
    const values = columns(draft, at);
    return store.write((announce) => {
      const id = Number(insert.run(values).lastInsertRowid);
      reschedule(id, at);
      audit.record(announce, {
        actor: operator(),
        action: 'schedule.create',
        targetType: 'schedule',
        targetId: String(id),
        details: { name: draft.name, event: draft.event, timing: draft.timing },
      });
      changed(announce, [id]);
      return get(id);
    });
  }

  function update(id: number, draft: ScheduleDraft): Schedule {
    const at = now();
    const values = columns(draft, at);
    return store.write((announce) => {
      const before = rowOf(id);
      replace.run({ ...values, id });
      engine.forget(id);
      reschedule(id, at);
      audit.record(announce, {
        actor: operator(),
        action: 'schedule.update',
        targetType: 'schedule',
        targetId: String(id),
        details: {
          name: draft.name,
          event: draft.event,
          timing: draft.timing,
          previousTiming: JSON.parse(before.timing_json),
        },
      });
      changed(announce, [id]);
      return get(id);
    });
  }

  function removeOne(id: number): { removed: number } {
    return store.write((announce) => {
      const row = rowOf(id);
      remove.run(id);
      engine.forget(id);
      audit.record(announce, {
        actor: operator(),
        action: 'schedule.remove',
        targetType: 'schedule',
        targetId: String(id),
        details: { name: row.name, event: row.event },
      });
      changed(announce, [id]);
      return { removed: id };
    });
  }

  /** Pauses or resumes several schedules at once; all or none (an unknown id changes nothing). */
  function setState(ids: number[], enabled: boolean, note: string | undefined): { schedules: Schedule[] } {
    const at = now();
    return store.write((announce) => {
      const unique = [...new Set(ids)];
      for (const id of unique) {
        rowOf(id);
        setEnabled.run({ id, enabled: enabled ? 1 : 0, note: note ?? null, now: at });
        if (enabled) reschedule(id, at);
        else {
          skipBufferedTick.run(id);
          dropBuffered.run(id);
        }
        audit.record(announce, {
          actor: operator(),
          action: enabled ? 'schedule.resume' : 'schedule.pause',
          targetType: 'schedule',
          targetId: String(id),
          reason: note ?? null,
          details: { bulk: unique.length > 1 },
        });
      }
      changed(announce, unique);
      return { schedules: unique.map(get) };
    });
  }

  function runNow(id: number): ScheduleTick {
    const at = now();
    return store.write((announce) => {
      const row = rowOf(id);
      const who = operator();
      const tick = engine.runNow(row, at, who);
      audit.record(announce, {
        actor: who,
        action: 'schedule.run_now',
        targetType: 'schedule',
        targetId: String(id),
        details: { executionIds: tick.executionIds },
      });
      announce('schedules:tick', { ticks: [tick], count: 1 });
      return tick;
    });
  }

  function preview(timing: ScheduleTiming, count: number): { runs: number[] } {
    const at = now();
    return { runs: upcomingTicks(compileTiming(timing, at, 'timing'), at, count) };
  }

  function ticks(args: CallArgs<'schedules:ticks'>) {
    const row = rowOf(args.id);
    const page = db
      .prepare<[{ id: number; tickMs: number; beforeId: number; limit: number }], TickRow>(
        `SELECT * FROM schedule_ticks WHERE schedule_id = @id
         AND (tick_ms < @tickMs OR (tick_ms = @tickMs AND id < @beforeId))
         ORDER BY tick_ms DESC, id DESC LIMIT @limit`,
      )
      .all({
        id: args.id,
        tickMs: args.before?.tickMs ?? Number.MAX_SAFE_INTEGER,
        beforeId: args.before?.id ?? Number.MAX_SAFE_INTEGER,
        limit: args.limit + 1,
      });
    const shown = page.slice(0, args.limit).map(toTick);
    const last = shown.at(-1);
    const upcoming =
      row.enabled && row.next_tick_ms !== null
        ? [row.next_tick_ms, ...upcomingTicks(engine.timingFor(row), row.next_tick_ms, 9)]
        : [];
    return {
      ticks: shown,
      next: page.length > args.limit && last ? { tickMs: last.tickMs, id: last.id } : null,
      upcoming,
    };
  }

  return {
    list: () => ({ schedules: sql.all.all().map(view) }),
    get,
    create,
    update,
    remove: removeOne,
    pause: (ids: number[], note?: string) => setState(ids, false, note),
    resume: (ids: number[], note?: string) => setState(ids, true, note),
    runNow,
    preview,
    ticks,
  };
}

export type SchedulesService = ReturnType<typeof createSchedulesService>;
