-- 0026_execution_bodies: a run's payload and request leave the executions row. Both are written
-- once, when the run is made (the request at most once more, when a retry or a release builds it),
-- but they lived on the row that every status update rewrites: for a 10 KB event, about 15 KB of
-- overflow pages copied by each of a run's three updates (dispatching, outcome, link). They now
-- live in execution_bodies, keyed by the run's id; detail, retry, lineage, search, the inbox,
-- backups and retention read them there. A run's body goes with its row (executions_fts_delete).
-- Append-only: never edit a migration that has shipped; add the next number instead.
CREATE TABLE execution_bodies (
  id            INTEGER PRIMARY KEY,      -- executions.id of the run
  payload_json  TEXT,                     -- what was sent (local runs)
  request_json  TEXT                      -- the exact request, without bodyText (no secrets)
) STRICT;
INSERT INTO execution_bodies (id, payload_json, request_json)
  SELECT id, payload_json, request_json FROM executions
  WHERE payload_json IS NOT NULL OR request_json IS NOT NULL;

-- The search index reads what it indexes through a view of both tables (the index holds no text
-- of its own: external content). Its old definition named executions as its content, whose
-- payload_json is gone, so it is made again, empty, and the mark goes back to 0: the batched
-- indexing of 0024 (db/search-index.ts) fills it again, in the background and before any search.
DROP TRIGGER executions_fts_insert;
DROP TRIGGER executions_fts_delete;
DROP TRIGGER executions_fts_update;
DROP TABLE executions_fts;
ALTER TABLE executions DROP COLUMN payload_json;
ALTER TABLE executions DROP COLUMN request_json;

CREATE VIEW execution_search AS
  SELECT e.id AS id, e.event AS event, b.payload_json AS payload_json, e.error AS error
  FROM executions e LEFT JOIN execution_bodies b ON b.id = e.id;
CREATE VIRTUAL TABLE executions_fts USING fts5(
  event, payload_json, error,
  content = 'execution_search', content_rowid = 'id', tokenize = 'unicode61'
);
UPDATE search_state SET indexed_through_id = 0 WHERE id = 1;

-- As in 0024, rows at or below the mark are in the index and kept in step here; the rows above
-- it wait for the batch. A run's entry is (event, payload, error) of both tables together; either
-- row may be written first, so each side's trigger writes the entry as the other side left it.
CREATE TRIGGER executions_fts_insert AFTER INSERT ON executions
WHEN new.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM execution_search
  WHERE id = new.id AND (event IS NOT NULL OR payload_json IS NOT NULL OR error IS NOT NULL);
END;
-- Always fires: the run's body goes with it (no foreign key, so the entry can still be read here).
CREATE TRIGGER executions_fts_delete AFTER DELETE ON executions BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  SELECT 'delete', old.id, coalesce(old.event, ''), coalesce(p, ''), coalesce(old.error, '')
  FROM (SELECT (SELECT payload_json FROM execution_bodies WHERE id = old.id) AS p)
  WHERE old.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1)
    AND (old.event IS NOT NULL OR p IS NOT NULL OR old.error IS NOT NULL);
  DELETE FROM execution_bodies WHERE id = old.id;
END;
CREATE TRIGGER executions_fts_update AFTER UPDATE OF event, error ON executions
WHEN old.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  SELECT 'delete', old.id, coalesce(old.event, ''), coalesce(p, ''), coalesce(old.error, '')
  FROM (SELECT (SELECT payload_json FROM execution_bodies WHERE id = old.id) AS p)
  WHERE old.event IS NOT NULL OR p IS NOT NULL OR old.error IS NOT NULL;
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM execution_search
  WHERE id = new.id AND (event IS NOT NULL OR payload_json IS NOT NULL OR error IS NOT NULL);
END;
-- A body written, changed or removed while its run is in the index (a run's own row is written
-- first; a restore writes bodies first, then these find no run and the run's insert indexes both).
CREATE TRIGGER execution_bodies_fts_insert AFTER INSERT ON execution_bodies
WHEN new.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  SELECT 'delete', id, coalesce(event, ''), '', coalesce(error, '') FROM executions
  WHERE id = new.id AND (event IS NOT NULL OR error IS NOT NULL);
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM execution_search
  WHERE id = new.id AND (event IS NOT NULL OR payload_json IS NOT NULL OR error IS NOT NULL);
END;
CREATE TRIGGER execution_bodies_fts_update AFTER UPDATE OF payload_json ON execution_bodies
WHEN old.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  SELECT 'delete', id, coalesce(event, ''), coalesce(old.payload_json, ''), coalesce(error, '') FROM executions
  WHERE id = old.id AND (event IS NOT NULL OR old.payload_json IS NOT NULL OR error IS NOT NULL);
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM execution_search
  WHERE id = new.id AND (event IS NOT NULL OR payload_json IS NOT NULL OR error IS NOT NULL);
END;
CREATE TRIGGER execution_bodies_fts_delete AFTER DELETE ON execution_bodies
WHEN old.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  SELECT 'delete', id, coalesce(event, ''), coalesce(old.payload_json, ''), coalesce(error, '') FROM executions
  WHERE id = old.id AND (event IS NOT NULL OR old.payload_json IS NOT NULL OR error IS NOT NULL);
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT id, coalesce(event, ''), coalesce(payload_json, ''), coalesce(error, '') FROM execution_search
  WHERE id = old.id AND (event IS NOT NULL OR payload_json IS NOT NULL OR error IS NOT NULL);
END;
