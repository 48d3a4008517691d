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
  SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM executions;

CREATE TRIGGER executions_fts_insert AFTER INSERT ON executions BEGIN
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  VALUES (new.id, coalesce(new.event, ''), coalesce(new.payload_json, ''), coalesce(new.error, ''));
END;
CREATE TRIGGER executions_fts_delete AFTER DELETE ON executions BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  VALUES ('delete', old.id, coalesce(old.event, ''), coalesce(old.payload_json, ''), coalesce(old.error, ''));
END;
CREATE TRIGGER executions_fts_update AFTER UPDATE OF event, payload_json, error ON executions BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  VALUES ('delete', old.id, coalesce(old.event, ''), coalesce(old.payload_json, ''), coalesce(old.error, ''));
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  VALUES (new.id, coalesce(new.event, ''), coalesce(new.payload_json, ''), coalesce(new.error, ''));
END;

-- Named filters of the executions list, per operator console.
CREATE TABLE saved_views (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  filter_json   TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
