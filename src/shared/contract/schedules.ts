import { z } from 'zod';
import { call } from './define';

/** A local date-time without offset, read in the schedule's zone: `2026-03-29T02:30` or with `:ss`. */
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'Use a local date-time like 2026-03-29T09:30');

/**
 * The last moment a schedule may count from: the end of year 9999 (epoch ms). Later anchors put
 * ticks beyond the integers JavaScript numbers hold exactly.
 */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An IANA zone name (`Europe/Berlin`); the core rejects names it does not know. */
const timeZone = z.string().trim().min(1).max(64);

/** When a schedule ticks. Every kind names the zone its times are shown (and, for cron/once, read) in. */
export const scheduleTimingSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('cron'),
      /** 5 fields (minute precision) or 6 (leading seconds field), read in `timeZone`. */
      expression: z.string().trim().min(1).max(200),
      timeZone,
    })
    .strict(),
  z
    .object({
      kind: z.literal('interval'),
      /** Milliseconds between ticks (1 s to 366 days). */
      everyMs: z
        .number()
        .int()
        .min(1000)
        .max(366 * 86_400_000),
      /** Epoch ms the ticks are counted from; defaults to the moment the schedule is created. */
      anchorMs: z.number().int().nonnegative().max(MAX_TIME_MS).optional(),
      timeZone,
    })
    .strict(),
  z
    .object({
      kind: z.literal('once'),
      /** Local date-time in `timeZone` of the single tick. */
      at: localDateTime,
      timeZone,
    })
    .strict(),
]);
export type ScheduleTiming = z.infer<typeof scheduleTimingSchema>;

/** What to do with a tick while the previous run of the same schedule is still going. */
export const overlapPolicySchema = z.enum(['skip', 'buffer', 'allow']);
export type OverlapPolicy = z.infer<typeof overlapPolicySchema>;

/**
 * What to do with ticks that came due while the scheduler was not running (downtime). Only
 * ticks within `windowMs` of now are caught up; older ones are recorded as missed.
 */
export const misfireSchema = z
  .object({
    /** skip: record them missed · run_once: fire the newest, coalesce the rest · run_each: fire up to maxRuns. */
    policy: z.enum(['skip', 'run_once', 'run_each']).default('run_once'),
    /** run_each: the most recent missed ticks fired, at most this many (1–1000). */
    maxRuns: z.number().int().min(1).max(1000).default(10),
    /** Catch-up window in milliseconds (1 minute to 30 days; default 1 day). */
    windowMs: z
      .number()
      .int()
      .min(60_000)
      .max(30 * 86_400_000)
      .default(86_400_000),
  })
  .strict();
export type Misfire = z.infer<typeof misfireSchema>;

/** Deepest nesting a payload may have: as deep as any door accepts (core/limits.ts). */
const MAX_PAYLOAD_DEPTH = 64;

/** Nesting depth, walked without recursion, stopping as soon as it is too deep. */
function withinDepth(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > max) return false;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return true;
}

// Depth first: z.json() checks recursively, and a payload thousands of levels deep would overflow
// the stack inside the parser instead of being refused.
const payloadSchema = z
  .unknown()
  .refine((value) => withinDepth(value, MAX_PAYLOAD_DEPTH), `The payload may nest at most ${MAX_PAYLOAD_DEPTH} levels`)
  .pipe(z.json())
  .refine((value) => JSON.stringify(value).length <= 65_536, 'The payload must be at most 64 KB of JSON');

/** What an operator writes; the core adds id, status, next run. */
export const scheduleDraftSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    /** The operator's own event name (mappings route it to workflows), e.g. `report.daily`. */
    event: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_.:/-]+$/, 'Use letters, digits and . _ : / - in an event name'),
    payload: payloadSchema.default({}),
    timing: scheduleTimingSchema,
    /** Random delay added to each tick, in seconds (0–3600). */
    jitterSeconds: z.number().int().min(0).max(3600).default(0),
    overlap: overlapPolicySchema.default('skip'),
    misfire: misfireSchema.default({ policy: 'run_once', maxRuns: 10, windowMs: 86_400_000 }),
  })
  .strict();
export type ScheduleDraft = z.output<typeof scheduleDraftSchema>;
export type ScheduleDraftInput = z.input<typeof scheduleDraftSchema>;

export const TICK_OUTCOMES = ['fired', 'skipped', 'missed', 'coalesced', 'buffered', 'failed'] as const;
export const tickOutcomeSchema = z.enum(TICK_OUTCOMES);
export type TickOutcome = z.infer<typeof tickOutcomeSchema>;

/** One row of a schedule's ledger: a due tick and what the scheduler did with it, and why. */
export const scheduleTickSchema = z.object({
  id: z.number().int(),
  scheduleId: z.number().int(),
  /** Nominal tick time (before jitter), epoch ms; for `manual`, when the operator asked. */
  tickMs: z.number().int(),
  trigger: z.enum(['schedule', 'manual']),
  outcome: tickOutcomeSchema,
  reason: z.string(),
  /** When the runs were enqueued (tick + jitter, or later for caught-up and buffered ticks). */
  firedAtMs: z.number().int().nullable(),
  /** Local executions the tick created (one per matching mapping). */
  executionIds: z.array(z.number().int()),
  /** How many ticks this row stands for (> 1 only for a summary of many missed ticks). */
  covers: z.number().int(),
  recordedAtMs: z.number().int(),
});
export type ScheduleTick = z.infer<typeof scheduleTickSchema>;

export const scheduleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  event: z.string(),
  payload: z.unknown(),
  timing: scheduleTimingSchema,
  jitterSeconds: z.number().int(),
  overlap: overlapPolicySchema,
  misfire: misfireSchema,
  /** active: ticking · paused: by an operator · finished: a one-off that has had its tick. */
  status: z.enum(['active', 'paused', 'finished']),
  /** The operator's note from the last pause or resume. */
  note: z.string().nullable(),
  /** Next nominal tick (epoch ms), null when paused or finished. */
  nextRunMs: z.number().int().nullable(),
  lastTick: scheduleTickSchema.nullable(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

const id = z.number().int().positive();
const ids = z.array(id).min(1).max(1000);
const note = z.string().trim().max(500).optional();

export const schedulesCalls = {
  'schedules:list': call(z.object({}).strict(), z.object({ schedules: z.array(scheduleSchema) })),
  'schedules:get': call(z.object({ id }).strict(), scheduleSchema),
  'schedules:create': call(z.object({ draft: scheduleDraftSchema }).strict(), scheduleSchema),
  /** Replaces the whole draft; ticks are counted afresh from now. */
  'schedules:update': call(z.object({ id, draft: scheduleDraftSchema }).strict(), scheduleSchema),
  'schedules:remove': call(z.object({ id }).strict(), z.object({ removed: z.number().int() })),
  /** Pauses every listed schedule (bulk); ticks while paused are not due. */
  'schedules:pause': call(z.object({ ids, note }).strict(), z.object({ schedules: z.array(scheduleSchema) })),
  /** Resumes: ticks are counted from now, nothing from the paused time is caught up. */
  'schedules:resume': call(z.object({ ids, note }).strict(), z.object({ schedules: z.array(scheduleSchema) })),
  /** Emits the schedule's event once now, under the overlap policy's eye only for the record. */
  'schedules:runNow': call(z.object({ id }).strict(), scheduleTickSchema),
  /** The next runs of a timing before it is saved (DST-correct, in epoch ms). */
  'schedules:preview': call(
    z.object({ timing: scheduleTimingSchema, count: z.number().int().min(1).max(50).default(10) }).strict(),
    z.object({ runs: z.array(z.number().int()) }),
  ),
  /** A schedule's ledger, newest first, paged with the cursor of the previous page; plus upcoming ticks. */
  'schedules:ticks': call(
    z
      .object({
        id,
        before: z.object({ tickMs: z.number().int(), id: z.number().int() }).strict().optional(),
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    z.object({
      ticks: z.array(scheduleTickSchema),
      next: z.object({ tickMs: z.number().int(), id: z.number().int() }).nullable(),
      /** The next nominal ticks (epoch ms), up to 10; empty when paused or finished. */
      upcoming: z.array(z.number().int()),
    }),
  ),
};

export const schedulesEvents = {
  /** Schedules were created, edited, paused, resumed or removed (ids of those touched). */
  'schedules:changed': z.object({ ids: z.array(z.number().int()) }),
  /** Ticks were recorded in ledgers (fired, skipped, missed, …): up to 100 of them, and how many in all. */
  'schedules:tick': z.object({ ticks: z.array(scheduleTickSchema), count: z.number().int() }),
};
