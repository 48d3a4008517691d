-- 0002_audit_and_executions: the two tables every feature writes to.
--
-- audit_log: every operator action and automatic decision, hash-chained so that an edited or
-- deleted row is detected (hash = sha256(prev_hash || canonical JSON of the entry)).
CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY,
  at_ms         INTEGER NOT NULL,
  actor         TEXT NOT NULL,              -- operator name, 'rule:<id>', 'system', 'scheduler'
  action        TEXT NOT NULL,              -- 'settings.update', 'approval.approve', ...
  target_type   TEXT NOT NULL,
  target_id     TEXT,
  reason        TEXT,
  details_json  TEXT NOT NULL DEFAULT '{}',
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
CREATE INDEX audit_log_at ON audit_log (at_ms);

-- executions: local runs (dispatched from this console) and remote n8n executions (synced),
-- in one table. A local run that n8n reveals as execution X gets remote_id = X, so the sync
-- later updates that same row instead of adding a second one (UNIQUE instance_id, remote_id).
CREATE TABLE executions (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL CHECK (source IN ('local', 'remote')),
  instance_id     TEXT,                     -- n8n instance (NULL only before a mapping resolves)
  workflow_id     TEXT,                     -- n8n workflow id
  remote_id       TEXT,                     -- n8n execution id, once known
  mapping_id      TEXT,                     -- local runs: the mapping that produced it
  job_id          INTEGER,                  -- local runs: the queue job
  status          TEXT NOT NULL,            -- see ExecutionStatus in src/shared/contract/executions.ts
  mode            TEXT,                     -- n8n's mode: webhook, retry, trigger, manual...
  retry_of        TEXT,                     -- n8n execution id this one retried
  error           TEXT,                     -- a message an operator understands
  payload_json    TEXT,                     -- what was sent (local runs)
  data_json       TEXT,                     -- per-node run summary where n8n gave it
  created_at_ms   INTEGER NOT NULL,         -- queued locally, or n8n's createdAt
  started_at_ms   INTEGER,
  finished_at_ms  INTEGER,
  queue_wait_ms   INTEGER,                  -- local: queued → first dispatch attempt
  duration_ms     INTEGER,                  -- run time (n8n start → stop, or the HTTP call)
  updated_at_ms   INTEGER NOT NULL,
  UNIQUE (instance_id, remote_id)
) STRICT;
CREATE INDEX executions_created ON executions (created_at_ms DESC);
CREATE INDEX executions_workflow ON executions (instance_id, workflow_id, created_at_ms DESC);
CREATE INDEX executions_status ON executions (status, created_at_ms DESC);
CREATE INDEX executions_mapping ON executions (mapping_id, created_at_ms DESC) WHERE mapping_id IS NOT NULL;
