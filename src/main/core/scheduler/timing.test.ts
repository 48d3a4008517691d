import { describe, expect, it } from 'vitest';
import type { ScheduleTiming } from '../../../shared/contract';
import { localIso } from '../../../shared/format-time';
import { AppError } from '../../../shared/result';
import { compileTiming, upcomingTicks } from './timing';

const cron = (expression: string, timeZone: string): ScheduleTiming => ({ kind: 'cron', expression, timeZone });
/** The next `count` ticks after `fromIso` (UTC), as wall-clock times in `zone`. */
function localRuns(timing: ScheduleTiming, fromIso: string, count: number, zone = timing.timeZone): string[] {
  const from = Date.parse(fromIso);
  return upcomingTicks(compileTiming(timing, from), from, count).map((ms) => localIso(ms, zone));
}
function rejection(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('timing: DST in Europe/Berlin (2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00)', () => {
  it('runs a fixed-time tick that falls in the spring gap once, at the first valid time after it', () => {
    expect(localRuns(cron('30 2 * * *', 'Europe/Berlin'), '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T02:30:00',
      '2026-03-29T03:00:00',
      '2026-03-30T02:30:00',
    ]);
  });

  it('runs a fixed-time tick in the repeated autumn hour once, not twice', () => {
    const runs = upcomingTicks(
      compileTiming(cron('30 2 * * *', 'Europe/Berlin'), 0),
      Date.parse('2026-10-24T12:00:00Z'),
      2,
    );
    expect(runs.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('runs an every-30-minutes expression on both occurrences of the repeated hour and none in the gap', () => {
    const autumn = upcomingTicks(
      compileTiming(cron('*/30 * * * *', 'Europe/Berlin'), 0),
      Date.parse('2026-10-24T23:45:00Z'),
      6,
    );
    // 01:00 and 01:30 UTC are 02:00 and 02:30 CET, the second time that hour is lived.
    expect(autumn.map((ms) => new Date(ms).toISOString().slice(11, 16))).toEqual([
      '00:00',
      '00:30',
      '01:00',
      '01:30',
      '02:00',
      '02:30',
    ]);
    expect(autumn.map((ms) => localIso(ms, 'Europe/Berlin').slice(11, 16))).toEqual([
      '02:00',
      '02:30',
      '02:00',
      '02:30',
      '03:00',
      '03:30',
    ]);
    const spring = localRuns(cron('*/30 * * * *', 'Europe/Berlin'), '2026-03-29T00:15:00Z', 3);
    expect(spring).toEqual(['2026-03-29T01:30:00', '2026-03-29T03:00:00', '2026-03-29T03:30:00']);
  });
});

describe('timing: DST in America/New_York (2026-03-08 02:00→03:00, 2026-11-01 02:00→01:00)', () => {
  it('moves a tick in the spring gap to 03:00 and keeps the wall-clock time on the next days', () => {
    expect(localRuns(cron('30 2 * * *', 'America/New_York'), '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-08T03:00:00',
      '2026-03-09T02:30:00',
      '2026-03-10T02:30:00',
    ]);
  });

  it('runs 01:30 once on the day 01:30 happens twice', () => {
    const from = Date.parse('2026-10-31T12:00:00Z');
    const runs = upcomingTicks(compileTiming(cron('30 1 * * *', 'America/New_York'), from), from, 2);
    expect(runs.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('shows the same instants in the operator zone too', () => {
    expect(localRuns(cron('0 9 * * 1', 'America/New_York'), '2026-03-01T00:00:00Z', 2, 'Europe/Berlin')).toEqual([
      // 9:00 in New York is 14:00 in Berlin, except in the weeks when only the US has switched.
      '2026-03-02T15:00:00',
      '2026-03-09T14:00:00',
    ]);
  });
});

describe('timing: leap days and kinds', () => {
  it('runs a Feb 29 expression only in leap years', () => {
    expect(localRuns(cron('0 9 29 2 *', 'Europe/Berlin'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2028-02-29T09:00:00',
      '2032-02-29T09:00:00',
      '2036-02-29T09:00:00',
    ]);
  });

  it('reads a one-off local time in its zone, and accepts Feb 29 only where it exists', () => {
    const once = (at: string, timeZone: string): ScheduleTiming => ({ kind: 'once', at, timeZone });
    expect(localRuns(once('2028-02-29T09:00', 'America/New_York'), '2026-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T09:00:00',
    ]);
    expect(rejection(() => compileTiming(once('2026-02-29T09:00', 'UTC'), 0)).message).toMatch(
      /^timing\.at: "2026-02-29T09:00" is not a date-time that exists/,
    );
  });

  it('counts intervals from their anchor', () => {
    const timing: ScheduleTiming = { kind: 'interval', everyMs: 90_000, anchorMs: 1_000_000, timeZone: 'UTC' };
    expect(upcomingTicks(compileTiming(timing, 0), 0, 3)).toEqual([1_000_000, 1_090_000, 1_180_000]);
    expect(upcomingTicks(compileTiming(timing, 0), 1_090_000, 1)).toEqual([1_180_000]);
  });

  it('accepts 6 fields with seconds first', () => {
    const runs = upcomingTicks(compileTiming(cron('15 * * * * *', 'UTC'), 0), Date.parse('2026-01-01T00:00:00Z'), 2);
    expect(runs.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:01:15.000Z',
    ]);
  });
});

describe('timing: bad input', () => {
  it.each([
    ['61 * * * *', /minute: 61/],
    ['* * *', /exactly five, six, or seven/],
    ['* * * * * * *', /requires exactly 5 or 6 parts/],
    ['every day', /Invalid cron expression "every day"/],
  ])('rejects the cron expression %s naming the field', (expression, detail) => {
    const error = rejection(() => compileTiming(cron(expression, 'UTC'), 0, 'draft.timing'));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^draft\.timing\.expression: Invalid cron expression/);
    expect(error.message).toMatch(detail);
  });

  it('rejects an unknown zone naming the field and what to use', () => {
    const error = rejection(() => compileTiming(cron('* * * * *', 'Mars/Olympus'), 0, 'draft.timing'));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe(
      'draft.timing.timeZone: Unknown time zone "Mars/Olympus". Use an IANA zone name such as Europe/Berlin or America/New_York.',
    );
  });
});
