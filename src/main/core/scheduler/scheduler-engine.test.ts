import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleDraftInput } from '../../../shared/contract';
import { localIso } from '../../../shared/format-time';
import { AppError } from '../../../shared/result';
import { tempDir } from '../testing/test-core';
import { emittedKeys, ManualClock, openScheduler, setExecutionStatus, tableEmit } from '../testing/scheduler-kit';

const MIN = 60_000;
const HOUR = 60 * MIN;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function setup(options: Parameters<typeof openScheduler>[2] = {}, start = Date.parse('2026-06-01T10:00:30Z')) {
  const dir = tempDir();
  const clock = new ManualClock(start);
  let current = openScheduler(dir.path, clock, options);
  cleanups.push(() => {
    current.close();
    dir.remove();
  });
  return {
    clock,
    get s() {
      return current;
    },
    /** Closes the store and opens a new scheduler on the same data dir (a restart). */
    restart(next: Parameters<typeof openScheduler>[2] = options) {
      current.close();
      current = openScheduler(dir.path, clock, next);
      return current;
    },
  };
}

const hourly = (extra: Partial<ScheduleDraftInput> = {}): ScheduleDraftInput => ({
  name: 'Hourly report',
  event: 'report.hourly',
  payload: { kind: 'hourly' },
  timing: { kind: 'cron', expression: '0 * * * *', timeZone: 'Europe/Berlin' },
  ...extra,
});
const outcomes = (ticks: { outcome: string }[]) => ticks.map((t) => t.outcome);

describe('scheduler engine: firing', () => {
  it('fires a due tick once, with the idempotency key, payload and source, and records it with its runs', () => {
    const t = setup();
    const schedule = t.s.create(hourly());
    expect(schedule.nextRunMs).toBe(Date.parse('2026-06-01T11:00:00Z'));
    t.clock.advance(30 * MIN);
    expect(t.s.runDue()).toEqual([]);
    t.clock.set(Date.parse('2026-06-01T11:00:00.400Z'));
    const [tick] = t.s.runDue();
    expect(tick).toMatchObject({
      outcome: 'fired',
      reason: 'On time.',
      tickMs: Date.parse('2026-06-01T11:00:00Z'),
      executionIds: [1],
    });
    expect(t.s.emit.requests).toEqual([
      {
        event: 'report.hourly',
        payload: { kind: 'hourly' },
        idempotencyKey: `schedule:${schedule.id}:${Date.parse('2026-06-01T11:00:00Z')}`,
        source: 'schedule',
        actor: `schedule:${schedule.id}`,
      },
    ]);
    expect(t.s.runDue()).toEqual([]);
    expect(t.s.service.get(schedule.id).nextRunMs).toBe(Date.parse('2026-06-01T12:00:00Z'));
    expect(t.s.events.map((e) => e.event)).toContain('schedules:tick');
  });

  it('delays each tick by its jitter, drawn from the injected random source', () => {
    const t = setup({ random: () => 0.5 });
    t.s.create(hourly({ jitterSeconds: 60 }));
    t.clock.set(Date.parse('2026-06-01T11:00:29Z'));
    expect(t.s.runDue()).toEqual([]);
    t.clock.set(Date.parse('2026-06-01T11:00:30Z'));
    expect(t.s.runDue()).toMatchObject([{ outcome: 'fired', firedAtMs: Date.parse('2026-06-01T11:00:30Z') }]);
  });

  it('records a tick the pipeline refused as failed, with its reason, and moves on', () => {
    const t = setup({
      emit: () => () => {
        throw new AppError('UNAVAILABLE', 'No dispatch pipeline yet.');
      },
    });
    const { id } = t.s.create(hourly());
    t.clock.set(Date.parse('2026-06-01T11:00:01Z'));
    expect(t.s.runDue()).toMatchObject([
      { outcome: 'failed', reason: 'The event could not be enqueued: No dispatch pipeline yet.' },
    ]);
    expect(t.s.service.get(id).nextRunMs).toBe(Date.parse('2026-06-01T12:00:00Z'));
  });

  it('fires a one-off once and then reports it finished; fires intervals from their anchor', () => {
    const t = setup();
    const once = t.s.create(hourly({ timing: { kind: 'once', at: '2026-06-01T12:15', timeZone: 'Europe/Berlin' } }));
    const every = t.s.create(hourly({ timing: { kind: 'interval', everyMs: 20 * MIN, timeZone: 'UTC' } }));
    t.clock.advance(HOUR);
    t.s.runDue();
    expect(t.s.ledger(once.id).map((x) => x.tickMs)).toEqual([Date.parse('2026-06-01T10:15:00Z')]);
    expect(t.s.service.get(once.id)).toMatchObject({ status: 'finished', nextRunMs: null });
    // Evaluated once after an hour: two late ticks (run once: one coalesced, one caught up), and
    // the on-time one skipped because the caught-up run is still queued (overlap: skip).
    expect(t.s.ledger(every.id).map((x) => x.outcome)).toEqual(['coalesced', 'fired', 'skipped']);
  });

  it.each([
    ['spring-forward', '2026-03-28T23:00:00Z', ['00:30', '01:30', '03:30', '04:30']],
    ['autumn fall-back', '2026-10-24T23:00:00Z', ['01:30', '02:30', '02:30', '03:30']],
  ])('fires each hourly tick once across the Berlin %s, driven minute by minute', (_, start, local) => {
    const t = setup({}, Date.parse(start));
    const { id } = t.s.create(
      hourly({ overlap: 'allow', timing: { kind: 'cron', expression: '30 * * * *', timeZone: 'Europe/Berlin' } }),
    );
    for (let i = 0; i < 4 * 60; i++) {
      t.clock.advance(MIN);
      t.s.runDue();
    }
    const ledger = t.s.ledger(id);
    expect(ledger.map((x) => localIso(x.tickMs, 'Europe/Berlin').slice(11, 16))).toEqual(local);
    expect(outcomes(ledger)).toEqual(['fired', 'fired', 'fired', 'fired']);
    expect(new Set(emittedKeys(t.s.store)).size).toBe(4);
  });
});

describe('scheduler engine: leap days', () => {
  it('fires a Feb 29 schedule on the next leap day, then waits four years', () => {
    const t = setup({}, Date.parse('2027-03-01T00:00:00Z'));
    const { id, nextRunMs } = t.s.create(
      hourly({ timing: { kind: 'cron', expression: '0 12 29 2 *', timeZone: 'America/New_York' } }),
    );
    expect(localIso(nextRunMs ?? 0, 'America/New_York')).toBe('2028-02-29T12:00:00');
    t.clock.set(Date.parse('2028-02-28T17:00:30Z'));
    expect(t.s.runDue()).toEqual([]);
    t.clock.set(Date.parse('2028-02-29T17:00:30Z'));
    expect(outcomes(t.s.runDue())).toEqual(['fired']);
    expect(localIso(t.s.service.get(id).nextRunMs ?? 0, 'America/New_York')).toBe('2032-02-29T12:00:00');
  });
});

describe('scheduler engine: overlap policies', () => {
  function overlapping(overlap: 'skip' | 'buffer' | 'allow') {
    const t = setup();
    const { id } = t.s.create(
      hourly({ overlap, timing: { kind: 'cron', expression: '*/10 * * * *', timeZone: 'UTC' } }),
    );
    const step = () => {
      t.clock.advance(10 * MIN);
      return t.s.runDue();
    };
    return { t, id, step };
  }

  it('skip: records ticks while the previous run is still going as skipped, fires again once it ended', () => {
    const { t, id, step } = overlapping('skip');
    expect(outcomes(step())).toEqual(['fired']);
    expect(step()).toMatchObject([{ outcome: 'skipped', reason: 'The previous run is still going (overlap: skip).' }]);
    setExecutionStatus(t.s.store, 'succeeded');
    expect(outcomes(step())).toEqual(['fired']);
    expect(outcomes(t.s.ledger(id))).toEqual(['fired', 'skipped', 'fired']);
  });

  it('buffer one: keeps one tick waiting, skips the next, fires the waiting one when the run ends', () => {
    const { t, id, step } = overlapping('buffer');
    step();
    expect(outcomes(step())).toEqual(['buffered']);
    expect(step()).toMatchObject([{ outcome: 'skipped', reason: expect.stringMatching(/already buffered/) }]);
    setExecutionStatus(t.s.store, 'failed');
    t.clock.advance(1000);
    const [released] = t.s.runDue();
    expect(released).toMatchObject({
      outcome: 'fired',
      reason: expect.stringMatching(/^Buffered behind the previous run/),
    });
    const ledger = t.s.ledger(id);
    expect(outcomes(ledger)).toEqual(['fired', 'fired', 'skipped']);
    expect(released?.tickMs).toBe(ledger[1]?.tickMs);
    expect(t.s.service.get(id).status).toBe('active');
  });

  it('buffer one: a pause drops the waiting tick, recording it as skipped', () => {
    const { t, id, step } = overlapping('buffer');
    step();
    step();
    t.s.service.pause([id], 'n8n maintenance');
    setExecutionStatus(t.s.store, 'succeeded');
    t.clock.advance(1000);
    expect(t.s.runDue()).toEqual([]);
    expect(t.s.ledger(id)[1]).toMatchObject({
      outcome: 'skipped',
      reason: 'The schedule was paused before its buffered tick could run.',
    });
    expect(emittedKeys(t.s.store)).toHaveLength(1);
  });

  it('allow all: fires every tick even while earlier runs are going', () => {
    const { t, id, step } = overlapping('allow');
    step();
    step();
    step();
    expect(outcomes(t.s.ledger(id))).toEqual(['fired', 'fired', 'fired']);
    expect(emittedKeys(t.s.store)).toHaveLength(3);
  });
});

describe('scheduler engine: misfire after downtime', () => {
  /** Creates an hourly schedule, closes the console for `downHours`, reopens and catches up. */
  function downtime(misfire: ScheduleDraftInput['misfire'], downHours: number) {
    const t = setup();
    const { id } = t.s.create(hourly({ misfire }));
    t.restart();
    t.clock.advance(downHours * HOUR + 10 * MIN);
    // start() is what the core does when it opens: it catches up before the first sleep.
    const reopened = t.restart({ timer: true });
    reopened.module.start?.();
    void reopened.module.stop?.();
    return { t, id, ledger: reopened.ledger(id) };
  }

  it('skip: records every tick that came due while closed as missed and fires none', () => {
    const { t, ledger } = downtime({ policy: 'skip' }, 5);
    expect(outcomes(ledger)).toEqual(['missed', 'missed', 'missed', 'missed', 'missed']);
    expect(ledger[0]?.reason).toBe('Due while the scheduler was not running (misfire: skip).');
    expect(emittedKeys(t.s.store)).toEqual([]);
  });

  it('run once: fires the newest missed tick and coalesces the others into it', () => {
    const { t, id, ledger } = downtime({ policy: 'run_once' }, 5);
    expect(outcomes(ledger)).toEqual(['coalesced', 'coalesced', 'coalesced', 'coalesced', 'fired']);
    expect(ledger[0]?.reason).toMatch(/coalesced into the catch-up run of 2026-06-01 17:00:00/);
    expect(ledger[4]?.reason).toBe('Caught up after downtime (misfire: run once, 4 earlier tick(s) coalesced).');
    expect(emittedKeys(t.s.store)).toEqual([`schedule:${id}:${Date.parse('2026-06-01T15:00:00Z')}`]);
  });

  it('run each up to N: fires the N most recent missed ticks back to back, records the older as missed', () => {
    const { t, ledger } = downtime({ policy: 'run_each', maxRuns: 3 }, 5);
    expect(outcomes(ledger)).toEqual(['missed', 'missed', 'fired', 'fired', 'fired']);
    expect(ledger[0]?.reason).toMatch(/beyond the 3 most recent ticks/);
    expect(emittedKeys(t.s.store)).toHaveLength(3);
  });

  it('records ticks older than the catch-up window as missed whatever the policy (a day closed)', () => {
    const { ledger } = downtime({ policy: 'run_each', maxRuns: 100, windowMs: 3 * HOUR }, 24);
    expect(ledger).toHaveLength(24);
    expect(outcomes(ledger.slice(0, 21)).every((o) => o === 'missed')).toBe(true);
    expect(ledger[0]?.reason).toBe('Older than the catch-up window (180 min) when the scheduler came back.');
    expect(outcomes(ledger.slice(21))).toEqual(['fired', 'fired', 'fired']);
  });

  it('summarises a backlog too long to list in one row that says how many ticks it covers', () => {
    const t = setup();
    const { id } = t.s.create(
      hourly({ timing: { kind: 'cron', expression: '* * * * * *', timeZone: 'UTC' }, misfire: { policy: 'skip' } }),
    );
    t.clock.advance(2 * HOUR);
    t.s.runDue();
    const ledger = t.s.ledger(id);
    expect(ledger).toHaveLength(1001);
    expect(ledger[0]).toMatchObject({ outcome: 'missed', covers: 7200 - 1000 });
    expect(ledger[0]?.reason).toMatch(/^6200 ticks up to .* too many to list one by one\.$/);
  });
});

describe('scheduler engine: restarts', () => {
  it('a crash in the middle of a tick leaves nothing behind; the next core fires that tick exactly once', () => {
    const t = setup({
      emit: (store) => {
        const real = tableEmit(store);
        return (request) => {
          real(request); // the run is written…
          throw new Error('power cut'); // …and the process dies before the transaction commits
        };
      },
    });
    const { id } = t.s.create(hourly());
    t.clock.set(Date.parse('2026-06-01T11:00:01Z'));
    expect(t.s.runDue()).toEqual([]);
    expect(emittedKeys(t.s.store)).toEqual([]);
    expect(t.s.ledger(id)).toEqual([]);

    const second = t.restart({});
    expect(outcomes(second.runDue())).toEqual(['fired']);
    const third = t.restart({});
    expect(third.runDue()).toEqual([]);
    expect(emittedKeys(third.store)).toEqual([`schedule:${id}:${Date.parse('2026-06-01T11:00:00Z')}`]);
  });

  it('never enqueues a tick twice, even if the schedule row is rolled back to before it', () => {
    const t = setup();
    const { id } = t.s.create(hourly());
    t.clock.set(Date.parse('2026-06-01T11:00:01Z'));
    t.s.runDue();
    const s = t.restart();
    s.store.db
      .prepare('UPDATE schedules SET next_tick_ms = ?, next_fire_ms = ?, last_evaluated_ms = 0 WHERE id = ?')
      .run(Date.parse('2026-06-01T11:00:00Z'), Date.parse('2026-06-01T11:00:00Z'), id);
    expect(s.runDue()).toEqual([]);
    expect(emittedKeys(s.store)).toHaveLength(1);
  });
});

describe('ledger retention', () => {
  it('deletes ticks older than the retention and keeps at most N per schedule, newest first', () => {
    const t = setup({}, Date.parse('2026-06-01T00:00:30Z'));
    const { id } = t.s.create(
      hourly({ overlap: 'allow', timing: { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC' } }),
    );
    for (let h = 0; h < 48; h++) {
      t.clock.advance(HOUR);
      t.s.runDue();
    }
    expect(t.s.ledger(id)).toHaveLength(48);
    expect(t.s.module.prune(t.clock.now(), { maxAgeMs: 24 * HOUR, maxPerSchedule: 1000 })).toBe(24);
    expect(t.s.ledger(id)).toHaveLength(24);
    expect(t.s.module.prune(t.clock.now(), { maxAgeMs: 24 * HOUR, maxPerSchedule: 5 })).toBe(19);
    expect(t.s.ledger(id).map((x) => new Date(x.tickMs).toISOString().slice(11, 13))).toEqual([
      '20',
      '21',
      '22',
      '23',
      '00',
    ]);
  });
});
