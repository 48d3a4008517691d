-- 0019_alerts: alert kinds become data, alerts can be acknowledged and silenced, and notices
-- reach a webhook through a durable outbox.

-- alert_rules loses its CHECK on kind: the kinds are the descriptors in
-- src/shared/contract/alert-kinds.ts, validated on every write, so a new kind needs no rebuild.
CREATE TABLE alert_rules_0019 (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  kind           TEXT NOT NULL,
  params_json    TEXT NOT NULL,
  instance_id    TEXT,                        -- scope; NULL = every instance
  workflow_id    TEXT,                        -- scope; NULL = every workflow
  enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  cooldown_ms    INTEGER NOT NULL,            -- after a resolve, the same rule+subject stays quiet this long
  created_at_ms  INTEGER NOT NULL,
  updated_at_ms  INTEGER NOT NULL
) STRICT;
INSERT INTO alert_rules_0019 SELECT id, name, kind, params_json, instance_id, workflow_id, enabled, cooldown_ms,
  created_at_ms, updated_at_ms FROM alert_rules;
DROP TABLE alert_rules;
ALTER TABLE alert_rules_0019 RENAME TO alert_rules;

-- The subject by name when it fired (kept for history once an instance or workflow is gone),
-- and who acknowledged an alert, when.
ALTER TABLE alerts ADD COLUMN subject_label TEXT;
ALTER TABLE alerts ADD COLUMN acknowledged_at_ms INTEGER;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;

-- A silenced rule+subject records alerts but notifies nobody until until_ms.
CREATE TABLE alert_silences (
  rule_id     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  until_ms    INTEGER NOT NULL,
  set_by      TEXT NOT NULL,
  set_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (rule_id, subject)
) STRICT, WITHOUT ROWID;

-- The webhook notifier (one row). The address and the signing secret are sealed (SecretBox);
-- `_enc` keeps them out of unencrypted backups. url_hint is the origin only, for the UI.
CREATE TABLE alert_notifier (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  url_enc          TEXT NOT NULL,
  url_hint         TEXT NOT NULL,
  secret_enc       TEXT,
  enabled          INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  notify_resolved  INTEGER NOT NULL CHECK (notify_resolved IN (0, 1)),
  updated_at_ms    INTEGER NOT NULL
) STRICT;

-- Notices to post, written in the same transaction as the alert they announce; a background
-- deliverer posts them with retries and backoff. body_json is the whole JSON body (no secret).
CREATE TABLE alert_outbox (
  id                  INTEGER PRIMARY KEY,
  alert_id            INTEGER,                -- NULL for a test notice
  event               TEXT NOT NULL CHECK (event IN ('fired', 'resolved', 'test')),
  text                TEXT NOT NULL,
  body_json           TEXT NOT NULL,
  state               TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms  INTEGER,                -- NULL once delivered or given up
  last_error          TEXT,
  created_at_ms       INTEGER NOT NULL,
  delivered_at_ms     INTEGER
) STRICT;
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at_ms) WHERE state = 'pending';
