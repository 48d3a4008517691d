-- 0008_instances: n8n connection profiles, their synced workflows, sync state and sync log.
-- Synced n8n executions live in the shared `executions` table (0002) with source = 'remote'.
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- One row per n8n instance. The API key is stored only sealed by a SecretBox (AES-256-GCM with
-- a key file, or Electron safeStorage); `secret_kind` says which one, so a store opened by the
-- other kind can say why the key cannot be read instead of failing obscurely.
CREATE TABLE instances (
  id              TEXT PRIMARY KEY,         -- random UUID
  name            TEXT NOT NULL UNIQUE,
  base_url        TEXT NOT NULL,            -- e.g. https://n8n.example.com (no trailing slash)
  api_key_sealed  TEXT NOT NULL,
  api_key_last4   TEXT NOT NULL,            -- shown so an operator can tell keys apart
  secret_kind     TEXT NOT NULL,
  environment     TEXT NOT NULL,            -- free label: dev, staging, prod, client-x ...
  color           TEXT NOT NULL,            -- #rrggbb
  sync_enabled    INTEGER NOT NULL DEFAULT 1 CHECK (sync_enabled IN (0, 1)),
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL
) STRICT;

-- The sync loop's state per instance: what the UI shows as health, and where to resume.
CREATE TABLE instance_sync_state (
  instance_id           TEXT PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
  state                 TEXT NOT NULL CHECK (state IN ('never', 'syncing', 'ok', 'offline', 'error')),
  n8n_version           TEXT,
  last_attempt_at_ms    INTEGER,
  last_success_at_ms    INTEGER,
  last_error_code       TEXT,
  last_error            TEXT,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  next_sync_at_ms       INTEGER,
  -- Highest n8n execution id stored by a complete pass; the next pass reads down to it (minus
  -- an overlap). Only advanced when a pass completes, so a dropped connection loses nothing.
  exec_high_water       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Synced copy of each instance's workflows (replaced by every successful pass).
CREATE TABLE workflows (
  instance_id         TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  id                  TEXT NOT NULL,        -- n8n workflow id
  name                TEXT NOT NULL,
  active              INTEGER NOT NULL CHECK (active IN (0, 1)),
  tags_json           TEXT NOT NULL,        -- ["tag", ...]
  node_count          INTEGER NOT NULL,
  nodes_json          TEXT NOT NULL,        -- [{"name","type","disabled"}]
  webhook_paths_json  TEXT NOT NULL,        -- paths of the Webhook nodes: POST /webhook/<path>
  version_id          TEXT,
  created_at_ms       INTEGER,
  updated_at_ms       INTEGER,              -- n8n's updatedAt
  synced_at_ms        INTEGER NOT NULL,
  PRIMARY KEY (instance_id, id)
) STRICT;
CREATE INDEX workflows_name ON workflows (name);

-- One row per sync pass: when, how long, how many, outcome.
CREATE TABLE sync_log (
  id              INTEGER PRIMARY KEY,
  instance_id     TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  started_at_ms   INTEGER NOT NULL,
  duration_ms     INTEGER NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
  workflows       INTEGER NOT NULL,         -- workflows stored
  executions      INTEGER NOT NULL,         -- executions inserted or changed
  error_code      TEXT,
  error           TEXT
) STRICT;
CREATE INDEX sync_log_instance ON sync_log (instance_id, id DESC);

-- Remote executions of one instance, newest n8n id first (the sync's overlap scan).
CREATE INDEX executions_remote ON executions (instance_id, source, status) WHERE source = 'remote';
