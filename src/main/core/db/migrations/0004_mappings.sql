-- 0004_mappings: routes from the operator's events to n8n workflow webhooks.
-- The full, validated mapping lives in config_json (re-validated on every read); the columns
-- beside it are the ones queries filter on.
CREATE TABLE mappings (
  id             TEXT PRIMARY KEY,
  event          TEXT NOT NULL,
  instance_id    TEXT NOT NULL,
  active         INTEGER NOT NULL CHECK (active IN (0, 1)),
  config_json    TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  updated_at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX mappings_event ON mappings (event) WHERE active = 1;
