-- 0014_delivery: offline holds, attempts that never reached n8n, crash checks, instance health.
-- (Numbered after 0013_links_and_waits; the lead renumbers at merge if needed.)
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- A job whose last attempt may have reached its target without the outcome being recorded (its
-- worker vanished and the lease expired, or the connection broke after the request was sent):
-- the next claim must check before acting again. Cleared when an answer is recorded.
ALTER TABLE jobs ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1));
-- Leases of this job that expired in a row: a job whose worker dies every time must end.
ALTER TABLE jobs ADD COLUMN expired_leases INTEGER NOT NULL DEFAULT 0;

-- job_attempts gains the outcome 'returned': the call never reached n8n (unreachable, or n8n
-- still starting), so it did not count toward max_attempts. SQLite cannot change a CHECK in
-- place: the table is rebuilt with the same columns and rows.
CREATE TABLE job_attempts_next (
  job_id          INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  attempt         INTEGER NOT NULL,
  started_at_ms   INTEGER NOT NULL,
  finished_at_ms  INTEGER NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('completed', 'failed', 'lease_expired', 'returned')),
  error           TEXT,
  http_status     INTEGER,
  PRIMARY KEY (job_id, attempt)
) STRICT, WITHOUT ROWID;
INSERT INTO job_attempts_next (job_id, attempt, started_at_ms, finished_at_ms, outcome, error, http_status)
  SELECT job_id, attempt, started_at_ms, finished_at_ms, outcome, error, http_status FROM job_attempts;
DROP TABLE job_attempts;
ALTER TABLE job_attempts_next RENAME TO job_attempts;

-- queue_holds: instances whose queued jobs wait because n8n cannot be reached. Set and lifted by
-- instance health (never by an operator: that is queue_paused). Waiting spends no attempt.
CREATE TABLE queue_holds (
  instance_id  TEXT PRIMARY KEY,
  reason       TEXT NOT NULL,
  since_ms     INTEGER NOT NULL
) STRICT;

-- queue_paused_mappings: mappings whose jobs are not claimed (the operator's pause per mapping).
CREATE TABLE queue_paused_mappings (
  mapping_id    TEXT PRIMARY KEY,
  paused_at_ms  INTEGER NOT NULL
) STRICT;

-- Dead letters per mapping for the Queue area, without a scan of every finished job. Partial:
-- written only when a job is dead-lettered, never on the dispatch hot path.
CREATE INDEX jobs_dead_lettered ON jobs (mapping_id) WHERE state = 'dead_lettered';

-- instance_health: whether n8n answers, from every signal (dispatch outcomes, the sync, a light
-- probe of /healthz). One row per instance once anything was observed.
CREATE TABLE instance_health (
  instance_id    TEXT PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
  state          TEXT NOT NULL CHECK (state IN ('up', 'down')),
  since_ms       INTEGER NOT NULL,        -- when it entered this state
  reason         TEXT,                    -- why it is down (null when up)
  source         TEXT NOT NULL CHECK (source IN ('dispatch', 'sync', 'probe')),
  checked_at_ms  INTEGER NOT NULL         -- the last signal of either kind
) STRICT;
