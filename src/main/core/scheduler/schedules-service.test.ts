import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScheduleDraftInput } from '../../../shared/contract';
import { testCore } from '../testing/test-core';
import { tempDir } from '../testing/test-core';
import { ManualClock, openScheduler } from '../testing/scheduler-kit';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function freshCore() {
  const t = testCore();
  cleanups.push(t.cleanup);
  return t;
}
const draft = (extra: Partial<ScheduleDraftInput> = {}): ScheduleDraftInput => ({
  name: 'Daily report',
  event: 'report.daily',
  payload: { format: 'pdf' },
  timing: { kind: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin' },
  ...extra,
});

describe('schedules contract (through the core)', () => {
  it('creates a schedule with defaults, lists it and audits who did it', async () => {
    const { core, clock } = freshCore();
    clock.set(Date.parse('2026-06-01T06:00:00Z'));
    const created = await core.call('schedules:create', { draft: draft() });
    expect(created).toMatchObject({
      ok: true,
      data: {
        status: 'active',
        overlap: 'skip',
        jitterSeconds: 0,
        misfire: { policy: 'run_once', maxRuns: 10, windowMs: 86_400_000 },
        nextRunMs: Date.parse('2026-06-01T07:00:00Z'),
        lastTick: null,
      },
    });
    const list = await core.call('schedules:list', {});
    expect(list.ok && list.data.schedules.map((s) => s.name)).toEqual(['Daily report']);
    const audit = await core.call('audit:list', { targetType: 'schedule' });
    expect(audit.ok && audit.data.entries.map((e) => e.action)).toEqual(['schedule.create']);
  });

  it.each([
    [
      { kind: 'cron', expression: '0 25 * * *', timeZone: 'UTC' },
      /^draft\.timing\.expression: Invalid cron expression "0 25 \* \* \*": Invalid value for hour: 25/,
    ],
    [
      { kind: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Atlantis' },
      /^draft\.timing\.timeZone: Unknown time zone "Europe\/Atlantis"/,
    ],
    [
      { kind: 'once', at: '2027-02-29T09:00', timeZone: 'UTC' },
      /^draft\.timing\.at: "2027-02-29T09:00" is not a date-time that exists/,
    ],
    [
      { kind: 'once', at: '2020-01-01T09:00', timeZone: 'UTC' },
      /^draft\.timing\.at: 2020-01-01T09:00 in UTC is already past/,
    ],
  ] as const)('rejects %o with VALIDATION naming the field, creating nothing', async (timing, message) => {
    const { core } = freshCore();
    const result = await core.call('schedules:create', { draft: draft({ timing }) });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(message) } });
    const list = await core.call('schedules:list', {});
    expect(list.ok && list.data.schedules).toEqual([]);
    const audit = await core.call('audit:list', {});
    expect(audit.ok && audit.data.entries).toEqual([]);
  });

  it('rejects malformed drafts at the boundary (unknown keys, bad event names, huge payloads)', async () => {
    const { core } = freshCore();
    for (const bad of [
      { draft: { ...draft(), extra: 1 } },
      { draft: draft({ event: 'has spaces' }) },
      { draft: draft({ payload: { blob: 'x'.repeat(70_000) } }) },
      { draft: draft({ jitterSeconds: -1 }) },
      { draft: draft({ misfire: { policy: 'sometimes' as never } }) },
      { draft: draft({ timing: { kind: 'interval', everyMs: 10, timeZone: 'UTC' } }) },
    ]) {
      expect(await core.invoke('schedules:create', bad)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    const preview = await core.invoke('schedules:preview', {
      timing: { kind: 'cron', expression: 'nope', timeZone: 'UTC' },
    });
    expect(preview).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringMatching(/^timing\.expression/) },
    });
  });

  it('previews the next 10 runs, DST-correct, before saving', async () => {
    const { core, clock } = freshCore();
    clock.set(Date.parse('2026-03-27T12:00:00Z'));
    const result = await core.call('schedules:preview', {
      timing: { kind: 'cron', expression: '30 2 * * *', timeZone: 'Europe/Berlin' },
    });
    expect(result.ok && result.data.runs).toHaveLength(10);
    expect(result.ok && result.data.runs.slice(0, 3).map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('pauses and resumes in bulk with a note, all or nothing, and audits each', async () => {
    const { core } = freshCore();
    const a = await core.call('schedules:create', { draft: draft({ name: 'A' }) });
    const b = await core.call('schedules:create', { draft: draft({ name: 'B' }) });
    if (!a.ok || !b.ok) throw new Error('create failed');
    const missing = await core.call('schedules:pause', { ids: [a.data.id, 999] });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await core.call('schedules:get', { id: a.data.id })).ok && 'still active').toBe('still active');

    const paused = await core.call('schedules:pause', { ids: [a.data.id, b.data.id], note: 'n8n upgrade tonight' });
    expect(paused.ok && paused.data.schedules.map((s) => [s.status, s.note, s.nextRunMs])).toEqual([
      ['paused', 'n8n upgrade tonight', null],
      ['paused', 'n8n upgrade tonight', null],
    ]);
    const resumed = await core.call('schedules:resume', { ids: [a.data.id], note: 'done' });
    expect(resumed.ok && resumed.data.schedules[0]).toMatchObject({ status: 'active', note: 'done' });
    const audit = await core.call('audit:list', { action: 'schedule.pause' });
    expect(audit.ok && audit.data.entries.map((e) => [e.targetId, e.reason])).toEqual([
      [String(b.data.id), 'n8n upgrade tonight'],
      [String(a.data.id), 'n8n upgrade tonight'],
    ]);
  });

  it('answers run now with NOT_FOUND while no mapping listens for the event, recording nothing', async () => {
    const { core } = freshCore();
    const created = await core.call('schedules:create', { draft: draft() });
    if (!created.ok) throw new Error('create failed');
    const run = await core.call('schedules:runNow', { id: created.data.id });
    expect(run).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/No active mapping/) },
    });
    const ticks = await core.call('schedules:ticks', { id: created.data.id });
    expect(ticks.ok && ticks.data.ticks).toEqual([]);
    expect(ticks.ok && ticks.data.upcoming).toHaveLength(10);
  });

  it('updates and removes, answering NOT_FOUND for a schedule that is gone', async () => {
    const { core } = freshCore();
    const created = await core.call('schedules:create', { draft: draft() });
    if (!created.ok) throw new Error('create failed');
    const id = created.data.id;
    const updated = await core.call('schedules:update', { id, draft: draft({ name: 'Renamed', overlap: 'buffer' }) });
    expect(updated.ok && updated.data).toMatchObject({ name: 'Renamed', overlap: 'buffer' });
    expect(await core.call('schedules:remove', { id })).toEqual({ ok: true, data: { removed: id } });
    for (const channel of ['schedules:get', 'schedules:remove', 'schedules:runNow', 'schedules:ticks'] as const) {
      expect(await core.call(channel, { id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });
});

describe('schedules service with a working emit', () => {
  it('runs now on request, records a manual tick with its runs, and pages the ledger newest first', () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const s = openScheduler(dir.path, clock);
    cleanups.push(() => {
      s.close();
      dir.remove();
    });
    const { id } = s.create({
      ...draft(),
      timing: { kind: 'cron', expression: '*/10 * * * *', timeZone: 'UTC' },
      overlap: 'allow',
    });
    const manual = s.service.runNow(id);
    expect(manual).toMatchObject({ trigger: 'manual', outcome: 'fired', reason: 'Run now by ada.', executionIds: [1] });
    expect(s.emit.requests[0]).toMatchObject({
      actor: 'ada',
      source: 'schedule',
      idempotencyKey: `schedule:${id}:manual:${clock.now()}`,
    });
    for (let i = 0; i < 5; i++) {
      clock.advance(10 * 60_000);
      s.runDue();
    }
    const first = s.service.ticks({ id, limit: 4 });
    expect(first.ticks.map((t) => t.trigger)).toEqual(['schedule', 'schedule', 'schedule', 'schedule']);
    const second = s.service.ticks({ id, limit: 4, ...(first.next ? { before: first.next } : {}) });
    expect(second.ticks.map((t) => t.trigger)).toEqual(['schedule', 'manual']);
    expect(second.next).toBeNull();
    expect(s.audit.list({ limit: 10, action: 'schedule.run_now' }).entries).toHaveLength(1);
  });

  it('does not count ticks while paused, and counts afresh from the moment it resumes', () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const s = openScheduler(dir.path, clock);
    cleanups.push(() => {
      s.close();
      dir.remove();
    });
    const { id } = s.create({ ...draft(), timing: { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC' } });
    s.service.pause([id], 'maintenance');
    clock.advance(5 * 3_600_000);
    expect(s.runDue()).toEqual([]);
    s.service.resume([id]);
    expect(s.service.get(id).nextRunMs).toBe(Date.parse('2026-06-01T16:00:00Z'));
    expect(s.ledger(id)).toEqual([]);
  });
});

describe('schedules module timer', () => {
  it('catches up at start and works through more due schedules than one batch, turn by turn', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:30Z'));
    const first = openScheduler(dir.path, clock);
    for (let i = 0; i < 5; i++)
      first.create({ ...draft(), name: `s${i}`, timing: { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC' } });
    first.close();
    clock.advance(3_600_000);
    const s = openScheduler(dir.path, clock, { timer: true, batchSize: 2 });
    cleanups.push(() => {
      s.close();
      dir.remove();
    });
    s.module.start?.();
    // The first batch runs inside start(); the rest follow on later turns of the event loop.
    expect(s.emit.requests.length).toBe(2);
    await vi.waitFor(() => expect(s.emit.requests.length).toBe(5));
    void s.module.stop?.();
  });
});
