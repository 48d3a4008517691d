-- 0024_search_backlog: the search index of runs is built in batches, off the path of each event.
-- Indexing a run's payload row by row (a trigger per insert, in the group commit of its event) was
-- the largest single cost of storing a 10 KB event; FTS5 indexes a batch of a few hundred rows at
-- about a third of the cost per row. Rows up to search_state.indexed_through_id are in the index
-- and kept in step by the triggers, exactly as before; newer rows are not, and are indexed in
-- order by db/search-index.ts (a coalesced background step, and always before a search reads
-- the index), which then moves the mark. A row id at or below the mark that is inserted again
-- (rowids may be reused after a delete) is indexed at once, so "at or below the mark" always
-- means "in the index".
-- Append-only: never edit a migration that has shipped; add the next number instead.
CREATE TABLE search_state (
  id                  INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_through_id  INTEGER NOT NULL
) STRICT;
INSERT INTO search_state (id, indexed_through_id) SELECT 1, coalesce(max(id), 0) FROM executions;

DROP TRIGGER executions_fts_insert;
DROP TRIGGER executions_fts_delete;
DROP TRIGGER executions_fts_update;

CREATE TRIGGER executions_fts_insert AFTER INSERT ON executions
WHEN (new.event IS NOT NULL OR new.payload_json IS NOT NULL OR new.error IS NOT NULL)
  AND new.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  VALUES (new.id, coalesce(new.event, ''), coalesce(new.payload_json, ''), coalesce(new.error, ''));
END;
CREATE TRIGGER executions_fts_delete AFTER DELETE ON executions
WHEN (old.event IS NOT NULL OR old.payload_json IS NOT NULL OR old.error IS NOT NULL)
  AND old.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  VALUES ('delete', old.id, coalesce(old.event, ''), coalesce(old.payload_json, ''), coalesce(old.error, ''));
END;
-- One trigger, so the old entry always leaves before the new one arrives (same rowid).
CREATE TRIGGER executions_fts_update AFTER UPDATE OF event, payload_json, error ON executions
WHEN old.id <= (SELECT indexed_through_id FROM search_state WHERE id = 1) BEGIN
  INSERT INTO executions_fts (executions_fts, rowid, event, payload_json, error)
  SELECT 'delete', old.id, coalesce(old.event, ''), coalesce(old.payload_json, ''), coalesce(old.error, '')
  WHERE old.event IS NOT NULL OR old.payload_json IS NOT NULL OR old.error IS NOT NULL;
  INSERT INTO executions_fts (rowid, event, payload_json, error)
  SELECT new.id, coalesce(new.event, ''), coalesce(new.payload_json, ''), coalesce(new.error, '')
  WHERE new.event IS NOT NULL OR new.payload_json IS NOT NULL OR new.error IS NOT NULL;
END;
