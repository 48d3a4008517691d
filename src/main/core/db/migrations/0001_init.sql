-- 0001_init: operator settings.
-- Append-only: never edit a migration that has shipped; add the next number instead.
-- The ledger (_migrations) stores each file's SHA-256 and the core refuses to start
-- when a shipped file has changed.

CREATE TABLE settings (
  key           TEXT PRIMARY KEY,
  value_json    TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
