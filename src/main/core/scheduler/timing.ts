import { Cron } from 'croner';
import type { ScheduleTiming } from '../../../shared/contract';
import { localIso } from '../../../shared/format-time';
import { AppError } from '../../../shared/result';

/** A timing turned into a function: the first nominal tick strictly after `afterMs`, or null. */
export interface CompiledTiming {
  nextAfter(afterMs: number): number | null;
}

// Building a Cron parses its pattern (~50 µs); thousands of schedules share few expressions.
const cronCache = new Map<string, Cron>();
const CRON_CACHE_LIMIT = 5_000;

function cronFor(pattern: string, timeZone: string): Cron {
  const key = `${timeZone}\u0000${pattern}`;
  let cron = cronCache.get(key);
  if (!cron) {
    // No callback: croner only computes dates and never starts a timer of its own.
    cron = new Cron(pattern, { timezone: timeZone, mode: '5-or-6-parts', paused: true });
    if (cronCache.size >= CRON_CACHE_LIMIT) cronCache.clear();
    cronCache.set(key, cron);
  }
  return cron;
}

function validationError(field: string, message: string): AppError {
  return new AppError('VALIDATION', `${field}: ${message}`, { details: [{ path: field.split('.'), message }] });
}

// Building a formatter to test a zone costs ~0.1 ms; the zones in use are few.
const knownZones = new Set<string>();

/** Throws VALIDATION naming `<prefix>.timeZone` when the zone is not an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string, prefix: string): void {
  if (knownZones.has(timeZone)) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    knownZones.add(timeZone);
  } catch {
    throw validationError(
      `${prefix}.timeZone`,
      `Unknown time zone "${timeZone}". Use an IANA zone name such as Europe/Berlin or America/New_York.`,
    );
  }
}

/**
 * Validates and compiles a timing. Cron and one-off times are read in the timing's zone by croner
 * (DST gaps run at the first valid time after the gap, a repeated hour runs once for fixed-time
 * expressions). `createdAtMs` anchors intervals without an explicit anchor.
 */
export function compileTiming(timing: ScheduleTiming, createdAtMs: number, prefix = 'timing'): CompiledTiming {
  assertTimeZone(timing.timeZone, prefix);
  switch (timing.kind) {
    case 'cron': {
      let cron: Cron;
      try {
        cron = cronFor(timing.expression, timing.timeZone);
      } catch (error) {
        const why = (error as Error).message.replace(/^CronPattern: /, '');
        throw validationError(
          `${prefix}.expression`,
          `Invalid cron expression "${timing.expression}": ${why}. Use 5 fields (minute hour day month weekday) or 6 with seconds first.`,
        );
      }
      return { nextAfter: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime() ?? null };
    }
    case 'interval': {
      const anchor = timing.anchorMs ?? createdAtMs;
      const every = timing.everyMs;
      return {
        nextAfter: (afterMs) =>
          afterMs < anchor ? anchor : anchor + (Math.floor((afterMs - anchor) / every) + 1) * every,
      };
    }
    case 'once': {
      const atMs = onceInstant(timing.at, timing.timeZone, prefix);
      return { nextAfter: (afterMs) => (atMs > afterMs ? atMs : null) };
    }
  }
}

/** The instant a local date-time names in a zone, read by croner (not hand-written offset maths). */
function onceInstant(at: string, timeZone: string, prefix: string): number {
  const withSeconds = at.length === 16 ? `${at}:00` : at;
  try {
    const job = new Cron(withSeconds, { timezone: timeZone, paused: true, allowPast: true });
    // A date pattern has exactly one run; asking from the epoch returns it even when it is past.
    const run = job.nextRun(new Date(0))?.getTime();
    // croner rolls 2026-02-30 over into March: a date that does not exist must be refused.
    if (run !== undefined && localIso(run, timeZone).slice(0, 10) === at.slice(0, 10)) return run;
  } catch {
    // Falls through to the message below: croner rejects a malformed date.
  }
  throw validationError(`${prefix}.at`, `"${at}" is not a date-time that exists. Use a date like 2026-03-29T09:30.`);
}

/** The next `count` nominal ticks after `afterMs`. */
export function upcomingTicks(compiled: CompiledTiming, afterMs: number, count: number): number[] {
  const runs: number[] = [];
  let cursor = afterMs;
  while (runs.length < count) {
    const next = compiled.nextAfter(cursor);
    if (next === null) break;
    runs.push(next);
    cursor = next;
  }
  return runs;
}
