-- 0010_approvals: the approval inbox, its comments, auto-approval rules and saved views.
--
-- approvals: one row per decision a person (or a rule) owes. kind 'gate' holds a local run
-- (executions.status 'awaiting_approval') before dispatch; kind 'wait' is an n8n execution
-- paused on a Wait node, resumed through resume_url. A wait's decision is delivered exactly
-- once: resume_state goes 'resuming' (decision committed, POST owed) → 'resumed' (n8n took
-- it, or answered 409: already resumed) or 'failed' (n8n refused for good).
CREATE TABLE approvals (
  id                   INTEGER PRIMARY KEY,
  kind                 TEXT NOT NULL CHECK (kind IN ('gate', 'wait')),
  status               TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  decision             TEXT CHECK (decision IN ('approve', 'reject')),  -- also the action an expiry took
  execution_id         INTEGER,             -- local executions row (gates; waits Flightdeck dispatched)
  remote_execution_id  TEXT,                -- n8n execution id (waits)
  instance_id          TEXT,
  workflow_id          TEXT,
  mapping_id           TEXT,
  event                TEXT,
  resume_url           TEXT,                -- waits: POST the decision here
  summary              TEXT NOT NULL,
  payload_json         TEXT NOT NULL DEFAULT 'null',
  priority             INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 9),  -- 0 most urgent
  due_at_ms            INTEGER,
  expires_at_ms        INTEGER,
  expiry_action        TEXT CHECK (expiry_action IN ('approve', 'reject')),
  expiry_seen          INTEGER NOT NULL DEFAULT 0 CHECK (expiry_seen IN (0, 1)),
  assignee             TEXT,
  claimed_at_ms        INTEGER,
  decided_by           TEXT,                -- operator name, 'rule:<id>' or 'system' (expiry)
  decided_at_ms        INTEGER,
  decision_comment     TEXT,
  rule_id              TEXT,
  explanation          TEXT,                -- why an automatic decision was taken
  resume_state         TEXT CHECK (resume_state IN ('resuming', 'resumed', 'failed')),
  resume_body_json     TEXT,                -- the exact body owed to n8n, fixed at decision time
  resume_attempts      INTEGER NOT NULL DEFAULT 0,
  resume_next_at_ms    INTEGER,
  resume_http_status   INTEGER,
  resume_error         TEXT,
  created_at_ms        INTEGER NOT NULL,
  updated_at_ms        INTEGER NOT NULL
) STRICT;
CREATE INDEX approvals_pending ON approvals (priority, created_at_ms) WHERE status = 'pending';
CREATE INDEX approvals_expiry ON approvals (expires_at_ms) WHERE status = 'pending' AND expires_at_ms IS NOT NULL;
CREATE INDEX approvals_resuming ON approvals (resume_next_at_ms) WHERE resume_state = 'resuming';
CREATE INDEX approvals_rule ON approvals (rule_id, decided_at_ms) WHERE rule_id IS NOT NULL;
CREATE INDEX approvals_created ON approvals (created_at_ms DESC);
CREATE UNIQUE INDEX approvals_gate_execution ON approvals (execution_id) WHERE kind = 'gate';
CREATE UNIQUE INDEX approvals_wait_remote ON approvals (instance_id, remote_execution_id) WHERE kind = 'wait';

CREATE TABLE approval_comments (
  id           INTEGER PRIMARY KEY,
  approval_id  INTEGER NOT NULL REFERENCES approvals (id) ON DELETE CASCADE,
  at_ms        INTEGER NOT NULL,
  author       TEXT NOT NULL,
  body         TEXT NOT NULL
) STRICT;
CREATE INDEX approval_comments_item ON approval_comments (approval_id, at_ms);

-- Auto-approval rules: the validated rule lives in config_json (re-validated on read).
CREATE TABLE approval_rules (
  id             TEXT PRIMARY KEY,
  position       INTEGER NOT NULL,
  enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  config_json    TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  updated_at_ms  INTEGER NOT NULL
) STRICT;

-- Saved inbox views: a name and a filter.
CREATE TABLE approval_views (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  filter_json    TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL
) STRICT;
