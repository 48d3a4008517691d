-- 0006_schedules: the scheduler's schedules and its ledger of every due tick.
--
-- schedules: what to emit (event + payload) and when (cron in an IANA zone, a fixed interval, or
-- once at a local date-time in a zone), with the overlap and misfire policies. The scheduler has
-- accounted for every tick at or before last_evaluated_ms; next_tick_ms is the next nominal tick
-- after it and next_fire_ms that tick plus its jitter (what the timer waits for).
CREATE TABLE schedules (
  id                 INTEGER PRIMARY KEY,
  name               TEXT NOT NULL,
  event              TEXT NOT NULL,
  payload_json       TEXT NOT NULL,
  timing_json        TEXT NOT NULL,           -- {kind:'cron'|'interval'|'once', ...} as in the contract
  jitter_ms          INTEGER NOT NULL DEFAULT 0,
  overlap            TEXT NOT NULL CHECK (overlap IN ('skip', 'buffer', 'allow')),
  misfire_json       TEXT NOT NULL,           -- {policy, maxRuns, windowMs}
  enabled            INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  note               TEXT,                    -- why it was paused or resumed, in the operator's words
  last_evaluated_ms  INTEGER NOT NULL,
  next_tick_ms       INTEGER,                 -- NULL: no tick left (a one-off that has run)
  next_fire_ms       INTEGER,
  buffered_tick_ms   INTEGER,                 -- overlap 'buffer': the one tick waiting for the run before it
  created_at_ms      INTEGER NOT NULL,
  updated_at_ms      INTEGER NOT NULL
) STRICT;

CREATE INDEX schedules_due ON schedules (next_fire_ms) WHERE enabled = 1 AND next_fire_ms IS NOT NULL;
CREATE INDEX schedules_buffered ON schedules (id) WHERE buffered_tick_ms IS NOT NULL;

-- schedule_ticks: the ledger. One row per due tick (trigger 'schedule') or run-now (trigger
-- 'manual'), recorded in the same transaction as the runs it emitted, so a tick can never be
-- enqueued twice (UNIQUE below, and the emit's idempotency key schedule:<id>:<tick_ms>).
-- outcome: fired | skipped (overlap) | missed | coalesced | buffered (waiting, becomes fired)
-- | failed (the emit was refused). covers > 1: a summary row standing for that many missed ticks.
CREATE TABLE schedule_ticks (
  id                  INTEGER PRIMARY KEY,
  schedule_id         INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  tick_ms             INTEGER NOT NULL,
  trigger             TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  outcome             TEXT NOT NULL CHECK (outcome IN ('fired', 'skipped', 'missed', 'coalesced', 'buffered', 'failed')),
  reason              TEXT NOT NULL,
  fired_at_ms         INTEGER,
  execution_ids_json  TEXT NOT NULL DEFAULT '[]',
  covers              INTEGER NOT NULL DEFAULT 1,
  recorded_at_ms      INTEGER NOT NULL,
  UNIQUE (schedule_id, tick_ms, trigger)
) STRICT;

CREATE INDEX schedule_ticks_fired ON schedule_ticks (schedule_id, id DESC) WHERE outcome = 'fired';
