-- 0020_perf: small hot rows. A job's payload (the webhook body, up to the payload limit) moves out
-- of the jobs row into job_payloads: every claim, completion, retry and lease renewal rewrites the
-- whole jobs row (SQLite rewrites a record and its overflow pages together), and the payload is
-- only ever read when a job is claimed or shown. Existing payloads move with their jobs.
-- Append-only: never edit a migration that has shipped; add the next number instead.
CREATE TABLE job_payloads (
  job_id        INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  payload_json  TEXT NOT NULL
) STRICT;
INSERT INTO job_payloads (job_id, payload_json) SELECT id, payload_json FROM jobs;
ALTER TABLE jobs DROP COLUMN payload_json;

-- No index on finished_at_ms: the prune walks jobs in id order (old jobs first) and stops at its
-- batch, and another index would be one more page written by every completion.
