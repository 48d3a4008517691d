-- 0003_queue: the durable job queue (BullMQ's model on SQLite).
--
-- jobs: one row per queued dispatch. States: waiting (due, claimable), delayed (run_at_ms in the
-- future: first delay or retry backoff), active (claimed under a lease), completed,
-- dead_lettered (failed after the last attempt, or unrecoverable; requeue-able), canceled.
-- A claim sets lease_token and lease_expires_at_ms; an active job whose lease expired goes back
-- to waiting (its attempt counted), which is how a crashed process's work is recovered.
-- The state-scoped partial indexes keep the claim, promote and expiry scans small however many
-- finished jobs are kept (as in BullMQ's postgres schema).
CREATE TABLE jobs (
  id                   INTEGER PRIMARY KEY,
  instance_id          TEXT NOT NULL,       -- limit and pause group
  mapping_id           TEXT NOT NULL,       -- limit group
  execution_id         INTEGER,             -- the executions row this job drives (written by the handler)
  state                TEXT NOT NULL CHECK (state IN ('waiting', 'delayed', 'active', 'completed', 'dead_lettered', 'canceled')),
  priority             INTEGER NOT NULL,    -- lower runs first; FIFO (id) within a priority
  payload_json         TEXT NOT NULL,       -- opaque to the queue
  idempotency_key      TEXT,
  attempts_made        INTEGER NOT NULL DEFAULT 0,   -- counts toward max_attempts; reset by a requeue
  attempt_seq          INTEGER NOT NULL DEFAULT 0,   -- attempts ever started (numbers job_attempts rows)
  max_attempts         INTEGER NOT NULL,
  backoff_json         TEXT NOT NULL,       -- BackoffPolicy
  timeout_ms           INTEGER,             -- per attempt, for the handler (opaque to the store)
  run_at_ms            INTEGER NOT NULL,    -- due time (delayed → waiting once reached)
  attempt_started_at_ms INTEGER,           -- start of the attempt in progress (active jobs)
  lease_token          TEXT,
  lease_expires_at_ms  INTEGER,
  last_error           TEXT,
  result_json          TEXT,
  http_status          INTEGER,             -- of the completed attempt (its history row is this row)
  created_at_ms        INTEGER NOT NULL,
  updated_at_ms        INTEGER NOT NULL,
  finished_at_ms       INTEGER
) STRICT;
CREATE INDEX jobs_waiting ON jobs (priority, id) WHERE state = 'waiting';
CREATE INDEX jobs_delayed ON jobs (run_at_ms) WHERE state = 'delayed';
CREATE INDEX jobs_active ON jobs (lease_expires_at_ms) WHERE state = 'active';
CREATE INDEX jobs_instance_state ON jobs (instance_id, state);
-- Deliberately no more indexes: each one is another page written per commit on the hot path.
-- (executions.job_id links a run to its job; limits read the few active jobs via jobs_active.)

-- job_attempts: the history of failed and lease-expired attempts, one row written when such an
-- attempt ends. The attempt in progress and the completed attempt live on their jobs row
-- (attempt_seq, attempt_started_at_ms, finished_at_ms, http_status): no write here per
-- successful job on the hot path. A completed job is final, so its attempt never moves.
CREATE TABLE job_attempts (
  job_id          INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt         INTEGER NOT NULL,         -- 1-based, = jobs.attempt_seq when it started
  started_at_ms   INTEGER NOT NULL,
  finished_at_ms  INTEGER NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('completed', 'failed', 'lease_expired')),
  error           TEXT,
  http_status     INTEGER,
  PRIMARY KEY (job_id, attempt)
) STRICT, WITHOUT ROWID;

-- idempotency_keys: one row per key (the PRIMARY KEY is the UNIQUE index that makes "one job per
-- key within its window" hold under concurrency). An expired key is replaced by the next enqueue.
CREATE TABLE idempotency_keys (
  key            TEXT PRIMARY KEY,
  job_id         INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  expires_at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX idempotency_keys_job ON idempotency_keys (job_id);

-- queue_limits: concurrency and fixed-window rate limits per instance or per mapping.
CREATE TABLE queue_limits (
  scope            TEXT NOT NULL CHECK (scope IN ('instance', 'mapping')),
  scope_id         TEXT NOT NULL,
  concurrency      INTEGER,                 -- max active jobs at once; NULL = unlimited
  rate_max         INTEGER,                 -- max claims per window; NULL = unlimited
  rate_window_ms   INTEGER,
  window_start_ms  INTEGER NOT NULL DEFAULT 0,
  window_count     INTEGER NOT NULL DEFAULT 0,
  updated_at_ms    INTEGER NOT NULL,
  PRIMARY KEY (scope, scope_id)
) STRICT;

-- queue_paused: instances whose jobs are not claimed (queued jobs stay queued).
CREATE TABLE queue_paused (
  instance_id   TEXT PRIMARY KEY,
  paused_at_ms  INTEGER NOT NULL
) STRICT;
