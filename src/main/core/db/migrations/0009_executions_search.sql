-- 0009_executions_search: full-text search over runs, and saved views of the executions list.
--
-- executions_fts indexes event name, payload and error of every execution (external content:
-- the text lives in executions, so its columns carry the same names; triggers keep the index in step, touching it only when one of
-- those three columns changes, not on every status update).
CREATE VIRTUAL TABLE executions_fts USING fts5(
  event, payload_json, error,
  content = 'executions', content_rowid = 'id', tokenize = 'unicode61'
);
INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM executions
  WHERE event IS NOT NULL OR payload_json IS NOT NULL OR error IS NOT NULL;

-- Rows with nothing to search (synced n8n executions without an error) stay out of the index.
CREATE TRIGGER executions_fts_insert AFTER INSERT ON executions
WHEN new.event IS NOT NULL OR new.payload_json IS NOT NULL OR new.error IS NOT NULL BEGIN
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  VALUES (new.id, coalesce(new.event, ''), coalesce(new.payload_json, ''), coalesce(new.error, ''));
END;
CREATE TRIGGER executions_fts_delete AFTER DELETE ON executions
WHEN old.event IS NOT NULL OR old.payload_json IS NOT NULL OR old.error IS NOT NULL BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  VALUES ('delete', old.id, coalesce(old.event, ''), coalesce(old.payload_json, ''), coalesce(old.error, ''));
END;
-- One trigger, so the old entry always leaves before the new one arrives (same rowid).
CREATE TRIGGER executions_fts_update AFTER UPDATE OF event, payload_json, error ON executions BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  SELECT 'delete', old.id, coalesce(old.event, ''), coalesce(old.payload_json, ''), coalesce(old.error, '')
  WHERE old.event IS NOT NULL OR old.payload_json IS NOT NULL OR old.error IS NOT NULL;
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT new.id, coalesce(new.event, ''), coalesce(new.payload_json, ''), coalesce(new.error, '')
  WHERE new.event IS NOT NULL OR new.payload_json IS NOT NULL OR new.error IS NOT NULL;
END;

-- Named filters of the executions list, per operator console.
CREATE TABLE saved_views (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  filter_json   TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
