import {
  misfireSchema,
  scheduleTimingSchema,
  type Misfire,
  type OverlapPolicy,
  type Schedule,
  type ScheduleTick,
  type ScheduleTiming,
  type TickOutcome,
} from '../../../shared/contract';
import type { Store } from '../db/store';

/** A `schedules` row as SQLite returns it. */
export interface ScheduleRow {
  id: number;
  name: string;
  event: string;
  payload_json: string;
  timing_json: string;
  jitter_ms: number;
  overlap: OverlapPolicy;
  misfire_json: string;
  enabled: 0 | 1;
  note: string | null;
  last_evaluated_ms: number;
  next_tick_ms: number | null;
  next_fire_ms: number | null;
  buffered_tick_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface TickRow {
  id: number;
  schedule_id: number;
  tick_ms: number;
  trigger: 'schedule' | 'manual';
  outcome: TickOutcome;
  reason: string;
  fired_at_ms: number | null;
  execution_ids_json: string;
  covers: number;
  recorded_at_ms: number;
}

// Stored JSON was validated on the way in; parsing it again guards against hand-edited rows.
export const timingOf = (row: ScheduleRow): ScheduleTiming => scheduleTimingSchema.parse(JSON.parse(row.timing_json));
export const misfireOf = (row: ScheduleRow): Misfire => misfireSchema.parse(JSON.parse(row.misfire_json));

export const toTick = (row: TickRow): ScheduleTick => ({
  id: row.id,
  scheduleId: row.schedule_id,
  tickMs: row.tick_ms,
  trigger: row.trigger,
  outcome: row.outcome,
  reason: row.reason,
  firedAtMs: row.fired_at_ms,
  executionIds: JSON.parse(row.execution_ids_json) as number[],
  covers: row.covers,
  recordedAtMs: row.recorded_at_ms,
});

export function statusOf(row: ScheduleRow): Schedule['status'] {
  if (!row.enabled) return 'paused';
  return row.next_tick_ms === null && row.buffered_tick_ms === null ? 'finished' : 'active';
}

export const toSchedule = (row: ScheduleRow, lastTick: TickRow | undefined): Schedule => ({
  id: row.id,
  name: row.name,
  event: row.event,
  payload: JSON.parse(row.payload_json) as unknown,
  timing: timingOf(row),
  jitterSeconds: Math.round(row.jitter_ms / 1000),
  overlap: row.overlap,
  misfire: misfireOf(row),
  status: statusOf(row),
  note: row.note,
  nextRunMs: row.enabled ? row.next_tick_ms : null,
  lastTick: lastTick ? toTick(lastTick) : null,
  createdAtMs: row.created_at_ms,
  updatedAtMs: row.updated_at_ms,
});

/** The statements the service and the engine share, prepared once per store. */
export function scheduleStatements(store: Store) {
  const { db } = store;
  return {
    byId: db.prepare<[number], ScheduleRow>('SELECT * FROM schedules WHERE id = ?'),
    all: db.prepare<[], ScheduleRow>('SELECT * FROM schedules ORDER BY name COLLATE NOCASE, id'),
    due: db.prepare<[number, number], ScheduleRow>(
      'SELECT * FROM schedules WHERE enabled = 1 AND next_fire_ms IS NOT NULL AND next_fire_ms <= ? ORDER BY next_fire_ms LIMIT ?',
    ),
    buffered: db.prepare<[], ScheduleRow>(
      'SELECT * FROM schedules WHERE enabled = 1 AND buffered_tick_ms IS NOT NULL ORDER BY id',
    ),
    earliestFire: db
      .prepare<[], number | null>(
        'SELECT MIN(next_fire_ms) FROM schedules WHERE enabled = 1 AND next_fire_ms IS NOT NULL',
      )
      .pluck(),
    lastTick: db.prepare<[number], TickRow>(
      'SELECT * FROM schedule_ticks WHERE schedule_id = ? ORDER BY tick_ms DESC, id DESC LIMIT 1',
    ),
    bufferedTick: db.prepare<[number, number], { id: number }>(
      `SELECT id FROM schedule_ticks WHERE schedule_id = ? AND tick_ms = ? AND trigger = 'schedule' AND outcome = 'buffered'`,
    ),
    clearBuffered: db.prepare<[number]>('UPDATE schedules SET buffered_tick_ms = NULL WHERE id = ?'),
    deleteTick: db.prepare<[number]>('DELETE FROM schedule_ticks WHERE id = ?'),
    recentFiredExecutions: db
      .prepare<[number], string>(
        `SELECT execution_ids_json FROM schedule_ticks WHERE schedule_id = ? AND outcome = 'fired' ORDER BY id DESC LIMIT 10`,
      )
      .pluck(),
    insertTick: db.prepare<
      [
        {
          schedule_id: number;
          tick_ms: number;
          trigger: string;
          outcome: TickOutcome;
          reason: string;
          fired_at_ms: number | null;
          covers: number;
          recorded_at_ms: number;
        },
      ]
    >(
      `INSERT INTO schedule_ticks (schedule_id, tick_ms, trigger, outcome, reason, fired_at_ms, covers, recorded_at_ms)
       VALUES (@schedule_id, @tick_ms, @trigger, @outcome, @reason, @fired_at_ms, @covers, @recorded_at_ms)
       ON CONFLICT (schedule_id, tick_ms, trigger) DO NOTHING`,
    ),
    settleTick: db.prepare<
      [{ id: number; outcome: TickOutcome; reason: string; fired_at_ms: number | null; execution_ids_json: string }]
    >(
      `UPDATE schedule_ticks SET outcome = @outcome, reason = @reason, fired_at_ms = @fired_at_ms,
       execution_ids_json = @execution_ids_json WHERE id = @id`,
    ),
    advance: db.prepare<
      [
        {
          id: number;
          last_evaluated_ms: number;
          next_tick_ms: number | null;
          next_fire_ms: number | null;
          buffered_tick_ms: number | null;
        },
      ]
    >(
      `UPDATE schedules SET last_evaluated_ms = @last_evaluated_ms, next_tick_ms = @next_tick_ms,
       next_fire_ms = @next_fire_ms, buffered_tick_ms = @buffered_tick_ms WHERE id = @id`,
    ),
  };
}

export type ScheduleStatements = ReturnType<typeof scheduleStatements>;
