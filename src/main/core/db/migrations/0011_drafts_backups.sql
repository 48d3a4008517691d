-- 0011_drafts_backups: offline workflow drafts, their push queue, n8n-side snapshots and the
-- automatic-backup schedule.
--
-- drafts: a workflow edited offline. base_* remember the remote version the draft was taken
-- from (clone, push or rebase), so a push can tell whether n8n changed in the meantime.
CREATE TABLE drafts (
  id                  TEXT PRIMARY KEY,
  name                TEXT NOT NULL,
  origin              TEXT NOT NULL CHECK (origin IN ('blank', 'clone', 'import')),
  instance_id         TEXT,                 -- where it is pushed (NULL until chosen)
  remote_workflow_id  TEXT,                 -- n8n workflow id once cloned or created
  base_version_id     TEXT,                 -- n8n versionId the draft was taken from
  base_updated_at_ms  INTEGER,              -- n8n updatedAt of that version
  workflow_json       TEXT NOT NULL,        -- { name, nodes, connections, settings }
  created_at_ms       INTEGER NOT NULL,
  updated_at_ms       INTEGER NOT NULL
) STRICT;

-- draft_pushes: every push asked for; those made while the instance was unreachable wait here
-- (status queued) and are replayed with backoff when it is back. Outcomes stay visible.
CREATE TABLE draft_pushes (
  id                  INTEGER PRIMARY KEY,
  draft_id            TEXT NOT NULL,
  instance_id         TEXT NOT NULL,
  override            INTEGER NOT NULL CHECK (override IN (0, 1)),
  status              TEXT NOT NULL CHECK (status IN ('queued', 'done', 'conflict', 'failed')),
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms  INTEGER NOT NULL,
  last_error          TEXT,
  remote_workflow_id  TEXT,
  created_at_ms       INTEGER NOT NULL,
  updated_at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX draft_pushes_due ON draft_pushes (next_attempt_at_ms) WHERE status = 'queued';
CREATE INDEX draft_pushes_draft ON draft_pushes (draft_id, id DESC);

-- n8n_snapshots: all workflows, tags and variables of one instance at one moment, numbered
-- per instance (version 1, 2, 3…). data_json holds { workflows, tags, variables }.
CREATE TABLE n8n_snapshots (
  id              INTEGER PRIMARY KEY,
  instance_id     TEXT NOT NULL,
  version         INTEGER NOT NULL,
  label           TEXT NOT NULL,
  taken_at_ms     INTEGER NOT NULL,
  workflow_count  INTEGER NOT NULL,
  tag_count       INTEGER NOT NULL,
  variable_count  INTEGER NOT NULL,
  data_json       TEXT NOT NULL,
  UNIQUE (instance_id, version)
) STRICT;

-- backup_schedule: one row (id = 1) when automatic backups are configured.
CREATE TABLE backup_schedule (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  enabled          INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  interval_ms      INTEGER NOT NULL,
  folder           TEXT NOT NULL,
  keep             INTEGER NOT NULL,
  include_executions INTEGER NOT NULL CHECK (include_executions IN (0, 1)),
  last_run_at_ms   INTEGER,
  last_result_json TEXT,
  updated_at_ms    INTEGER NOT NULL
) STRICT;
