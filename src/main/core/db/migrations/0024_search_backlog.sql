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

-- Metric rollups per worker turn: the dispatcher finishes a turn's runs with their rollups held
-- back (their ids in metric_deferred, each a run still in flight, so it counted nothing yet) and
-- folds them in with one statement at the end of the turn (metrics/rollup-batch.ts,
-- foldDeferred), instead of two upserts and a JSON histogram update per run. The triggers below
-- are 0014's, unchanged but for skipping held rows.
CREATE TABLE metric_deferred (id INTEGER PRIMARY KEY) STRICT;
DROP TRIGGER metric_rollups_delete;
CREATE TRIGGER metric_rollups_delete AFTER DELETE ON executions
WHEN OLD.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND OLD.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), OLD.id)
  AND NOT EXISTS (SELECT 1 FROM metric_deferred WHERE id = OLD.id)
BEGIN
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - (OLD.superseded_by_id IS NULL),
    succeeded = succeeded - (OLD.superseded_by_id IS NULL AND OLD.status = 'succeeded'),
    failed = failed - (OLD.superseded_by_id IS NULL AND OLD.status = 'failed'),
    dead_lettered = dead_lettered - (OLD.superseded_by_id IS NULL AND OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.superseded_by_id IS NULL AND OLD.status = 'canceled'),
    rejected = rejected - (OLD.superseded_by_id IS NULL AND OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.duration_ms, 0) ELSE 0 END),
    queue_wait_count = queue_wait_count - (OLD.superseded_by_id IS NULL AND OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.queue_wait_ms, 0) ELSE 0 END),
    attempts = attempts - (CASE WHEN OLD.source = 'remote' THEN 1 ELSE OLD.attempts END),
    failed_attempts = failed_attempts - (CASE WHEN OLD.source = 'remote' THEN OLD.status = 'failed' ELSE max(OLD.attempts - (coalesce(OLD.response_status, 0) BETWEEN 200 AND 299), 0) END),
    hist_json = CASE WHEN NOT (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL) THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 3600000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 3600000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - (OLD.superseded_by_id IS NULL),
    succeeded = succeeded - (OLD.superseded_by_id IS NULL AND OLD.status = 'succeeded'),
    failed = failed - (OLD.superseded_by_id IS NULL AND OLD.status = 'failed'),
    dead_lettered = dead_lettered - (OLD.superseded_by_id IS NULL AND OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.superseded_by_id IS NULL AND OLD.status = 'canceled'),
    rejected = rejected - (OLD.superseded_by_id IS NULL AND OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.duration_ms, 0) ELSE 0 END),
    queue_wait_count = queue_wait_count - (OLD.superseded_by_id IS NULL AND OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.queue_wait_ms, 0) ELSE 0 END),
    attempts = attempts - (CASE WHEN OLD.source = 'remote' THEN 1 ELSE OLD.attempts END),
    failed_attempts = failed_attempts - (CASE WHEN OLD.source = 'remote' THEN OLD.status = 'failed' ELSE max(OLD.attempts - (coalesce(OLD.response_status, 0) BETWEEN 200 AND 299), 0) END),
    hist_json = CASE WHEN NOT (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL) THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 86400000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 86400000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END;
DROP TRIGGER metric_rollups_update_old;
CREATE TRIGGER metric_rollups_update_old AFTER UPDATE OF status, created_at_ms, instance_id, workflow_id, mapping_id, duration_ms, queue_wait_ms, superseded_by_id, attempts, response_status, source ON executions
WHEN OLD.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND OLD.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), OLD.id)
  AND (OLD.status IS NOT NEW.status OR OLD.created_at_ms IS NOT NEW.created_at_ms OR OLD.instance_id IS NOT NEW.instance_id OR OLD.workflow_id IS NOT NEW.workflow_id OR OLD.mapping_id IS NOT NEW.mapping_id OR OLD.duration_ms IS NOT NEW.duration_ms OR OLD.queue_wait_ms IS NOT NEW.queue_wait_ms OR OLD.superseded_by_id IS NOT NEW.superseded_by_id OR OLD.attempts IS NOT NEW.attempts OR OLD.response_status IS NOT NEW.response_status OR OLD.source IS NOT NEW.source)
  AND NOT EXISTS (SELECT 1 FROM metric_deferred WHERE id = OLD.id)
BEGIN
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - (OLD.superseded_by_id IS NULL),
    succeeded = succeeded - (OLD.superseded_by_id IS NULL AND OLD.status = 'succeeded'),
    failed = failed - (OLD.superseded_by_id IS NULL AND OLD.status = 'failed'),
    dead_lettered = dead_lettered - (OLD.superseded_by_id IS NULL AND OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.superseded_by_id IS NULL AND OLD.status = 'canceled'),
    rejected = rejected - (OLD.superseded_by_id IS NULL AND OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.duration_ms, 0) ELSE 0 END),
    queue_wait_count = queue_wait_count - (OLD.superseded_by_id IS NULL AND OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.queue_wait_ms, 0) ELSE 0 END),
    attempts = attempts - (CASE WHEN OLD.source = 'remote' THEN 1 ELSE OLD.attempts END),
    failed_attempts = failed_attempts - (CASE WHEN OLD.source = 'remote' THEN OLD.status = 'failed' ELSE max(OLD.attempts - (coalesce(OLD.response_status, 0) BETWEEN 200 AND 299), 0) END),
    hist_json = CASE WHEN NOT (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL) THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 3600000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 3600000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - (OLD.superseded_by_id IS NULL),
    succeeded = succeeded - (OLD.superseded_by_id IS NULL AND OLD.status = 'succeeded'),
    failed = failed - (OLD.superseded_by_id IS NULL AND OLD.status = 'failed'),
    dead_lettered = dead_lettered - (OLD.superseded_by_id IS NULL AND OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.superseded_by_id IS NULL AND OLD.status = 'canceled'),
    rejected = rejected - (OLD.superseded_by_id IS NULL AND OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.duration_ms, 0) ELSE 0 END),
    queue_wait_count = queue_wait_count - (OLD.superseded_by_id IS NULL AND OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - (CASE WHEN OLD.superseded_by_id IS NULL THEN coalesce(OLD.queue_wait_ms, 0) ELSE 0 END),
    attempts = attempts - (CASE WHEN OLD.source = 'remote' THEN 1 ELSE OLD.attempts END),
    failed_attempts = failed_attempts - (CASE WHEN OLD.source = 'remote' THEN OLD.status = 'failed' ELSE max(OLD.attempts - (coalesce(OLD.response_status, 0) BETWEEN 200 AND 299), 0) END),
    hist_json = CASE WHEN NOT (OLD.superseded_by_id IS NULL AND OLD.duration_ms IS NOT NULL) THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 86400000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 86400000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END;
DROP TRIGGER metric_rollups_update_new;
CREATE TRIGGER metric_rollups_update_new AFTER UPDATE OF status, created_at_ms, instance_id, workflow_id, mapping_id, duration_ms, queue_wait_ms, superseded_by_id, attempts, response_status, source ON executions
WHEN NEW.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND NEW.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), NEW.id)
  AND (OLD.status IS NOT NEW.status OR OLD.created_at_ms IS NOT NEW.created_at_ms OR OLD.instance_id IS NOT NEW.instance_id OR OLD.workflow_id IS NOT NEW.workflow_id OR OLD.mapping_id IS NOT NEW.mapping_id OR OLD.duration_ms IS NOT NEW.duration_ms OR OLD.queue_wait_ms IS NOT NEW.queue_wait_ms OR OLD.superseded_by_id IS NOT NEW.superseded_by_id OR OLD.attempts IS NOT NEW.attempts OR OLD.response_status IS NOT NEW.response_status OR OLD.source IS NOT NEW.source)
  AND NOT EXISTS (SELECT 1 FROM metric_deferred WHERE id = OLD.id)
BEGIN
  INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered, canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, attempts, failed_attempts, hist_json, revision)
  VALUES (3600000, NEW.created_at_ms - (NEW.created_at_ms % 3600000), coalesce(NEW.instance_id, ''), coalesce(NEW.workflow_id, ''), coalesce(NEW.mapping_id, ''),
     (NEW.superseded_by_id IS NULL),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'succeeded'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'failed'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'dead_lettered'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'canceled'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'rejected'),
     (NEW.superseded_by_id IS NULL AND NEW.duration_ms IS NOT NULL),
     (CASE WHEN NEW.superseded_by_id IS NULL THEN coalesce(NEW.duration_ms, 0) ELSE 0 END),
     (NEW.superseded_by_id IS NULL AND NEW.queue_wait_ms IS NOT NULL),
     (CASE WHEN NEW.superseded_by_id IS NULL THEN coalesce(NEW.queue_wait_ms, 0) ELSE 0 END),
     (CASE WHEN NEW.source = 'remote' THEN 1 ELSE NEW.attempts END),
     (CASE WHEN NEW.source = 'remote' THEN NEW.status = 'failed' ELSE max(NEW.attempts - (coalesce(NEW.response_status, 0) BETWEEN 200 AND 299), 0) END),
     CASE WHEN (NEW.superseded_by_id IS NULL AND NEW.duration_ms IS NOT NULL) THEN json_object(CAST((CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) AS TEXT), 1) ELSE '{}' END,
     (SELECT version FROM metric_state WHERE id = 1))
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
    total = total + excluded.total,
    succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed,
    dead_lettered = dead_lettered + excluded.dead_lettered,
    canceled = canceled + excluded.canceled,
    rejected = rejected + excluded.rejected,
    duration_count = duration_count + excluded.duration_count,
    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
    queue_wait_count = queue_wait_count + excluded.queue_wait_count,
    queue_wait_sum_ms = queue_wait_sum_ms + excluded.queue_wait_sum_ms,
    attempts = attempts + excluded.attempts,
    failed_attempts = failed_attempts + excluded.failed_attempts,
    hist_json = CASE WHEN NOT (NEW.superseded_by_id IS NULL AND NEW.duration_ms IS NOT NULL) THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"'), 0) + 1) END;
  INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered, canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, attempts, failed_attempts, hist_json, revision)
  VALUES (86400000, NEW.created_at_ms - (NEW.created_at_ms % 86400000), coalesce(NEW.instance_id, ''), coalesce(NEW.workflow_id, ''), coalesce(NEW.mapping_id, ''),
     (NEW.superseded_by_id IS NULL),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'succeeded'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'failed'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'dead_lettered'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'canceled'),
     (NEW.superseded_by_id IS NULL AND NEW.status = 'rejected'),
     (NEW.superseded_by_id IS NULL AND NEW.duration_ms IS NOT NULL),
     (CASE WHEN NEW.superseded_by_id IS NULL THEN coalesce(NEW.duration_ms, 0) ELSE 0 END),
     (NEW.superseded_by_id IS NULL AND NEW.queue_wait_ms IS NOT NULL),
     (CASE WHEN NEW.superseded_by_id IS NULL THEN coalesce(NEW.queue_wait_ms, 0) ELSE 0 END),
     (CASE WHEN NEW.source = 'remote' THEN 1 ELSE NEW.attempts END),
     (CASE WHEN NEW.source = 'remote' THEN NEW.status = 'failed' ELSE max(NEW.attempts - (coalesce(NEW.response_status, 0) BETWEEN 200 AND 299), 0) END),
     CASE WHEN (NEW.superseded_by_id IS NULL AND NEW.duration_ms IS NOT NULL) THEN json_object(CAST((CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) AS TEXT), 1) ELSE '{}' END,
     (SELECT version FROM metric_state WHERE id = 1))
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
    total = total + excluded.total,
    succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed,
    dead_lettered = dead_lettered + excluded.dead_lettered,
    canceled = canceled + excluded.canceled,
    rejected = rejected + excluded.rejected,
    duration_count = duration_count + excluded.duration_count,
    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
    queue_wait_count = queue_wait_count + excluded.queue_wait_count,
    queue_wait_sum_ms = queue_wait_sum_ms + excluded.queue_wait_sum_ms,
    attempts = attempts + excluded.attempts,
    failed_attempts = failed_attempts + excluded.failed_attempts,
    hist_json = CASE WHEN NOT (NEW.superseded_by_id IS NULL AND NEW.duration_ms IS NOT NULL) THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"'), 0) + 1) END;
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END;
