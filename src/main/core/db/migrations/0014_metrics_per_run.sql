-- 0014_metrics_per_run: lineage of retries, and metrics that count runs rather than attempts.
-- (Numbered 0015 in the plan of issue #12; the lead renumbers at merge.)
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- Lineage. Every kind of retry links both ways, whoever wrote the rows:
--   retry_of_id       the execution row this one retried (a console retry, bulk or edited, or
--                     n8n's own retry of an execution: n8n's retryOf resolved to our row);
--   superseded_by_id  the newest retry of this row: the run lives on there, and this row counts
--                     only as attempts in the metrics;
--   retry_kind        'retry' | 'edited' | 'bulk' | 'n8n'.
-- retry_of keeps what n8n says (its execution id); local retries used to write a local id there,
-- which read as an n8n number: moved to retry_of_id below.
ALTER TABLE executions ADD COLUMN retry_of_id INTEGER;
ALTER TABLE executions ADD COLUMN superseded_by_id INTEGER;
ALTER TABLE executions ADD COLUMN retry_kind TEXT;

UPDATE executions SET retry_of_id = CAST(retry_of AS INTEGER), retry_of = NULL, retry_kind = 'retry'
  WHERE source = 'local' AND source_kind = 'retry' AND retry_of GLOB '[0-9]*';
UPDATE executions SET retry_kind = 'n8n', retry_of_id = (
    SELECT o.id FROM executions o WHERE o.instance_id = executions.instance_id AND o.remote_id = executions.retry_of
      AND o.id <> executions.id)
  WHERE retry_of IS NOT NULL;
UPDATE executions SET superseded_by_id = (SELECT max(r.id) FROM executions r WHERE r.retry_of_id = executions.id)
  WHERE id IN (SELECT retry_of_id FROM executions WHERE retry_of_id IS NOT NULL);

CREATE INDEX executions_retry_of_id ON executions (retry_of_id) WHERE retry_of_id IS NOT NULL;
-- n8n retries found by the execution they retried (the sync may store them in any order).
CREATE INDEX executions_retry_of ON executions (instance_id, retry_of) WHERE retry_of IS NOT NULL;

-- A retry supersedes what it retried (the newest retry wins when there are several).
CREATE TRIGGER executions_lineage_insert AFTER INSERT ON executions
WHEN NEW.retry_of_id IS NOT NULL
BEGIN
  UPDATE executions SET superseded_by_id = NEW.id
    WHERE id = NEW.retry_of_id AND (superseded_by_id IS NULL OR superseded_by_id < NEW.id);
END;
CREATE TRIGGER executions_lineage_update AFTER UPDATE OF retry_of_id ON executions
WHEN NEW.retry_of_id IS NOT NULL AND NEW.retry_of_id IS NOT OLD.retry_of_id
BEGIN
  UPDATE executions SET superseded_by_id = NEW.id
    WHERE id = NEW.retry_of_id AND (superseded_by_id IS NULL OR superseded_by_id < NEW.id);
END;

-- n8n's retries: retryOf names an n8n execution; resolve it to the row that holds it, now or
-- when that row arrives (synced later, or a local run linked to it later).
CREATE TRIGGER executions_n8n_retry_insert AFTER INSERT ON executions
WHEN NEW.retry_of IS NOT NULL AND NEW.retry_of_id IS NULL
BEGIN
  UPDATE executions SET retry_kind = 'n8n', retry_of_id = (
      SELECT o.id FROM executions o WHERE o.instance_id = NEW.instance_id AND o.remote_id = NEW.retry_of
        AND o.id <> NEW.id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER executions_n8n_retry_update AFTER UPDATE OF retry_of ON executions
WHEN NEW.retry_of IS NOT NULL AND NEW.retry_of IS NOT OLD.retry_of
BEGIN
  UPDATE executions SET retry_kind = 'n8n', retry_of_id = (
      SELECT o.id FROM executions o WHERE o.instance_id = NEW.instance_id AND o.remote_id = NEW.retry_of
        AND o.id <> NEW.id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER executions_n8n_original_insert AFTER INSERT ON executions
WHEN NEW.remote_id IS NOT NULL
BEGIN
  UPDATE executions SET retry_kind = 'n8n', retry_of_id = NEW.id
    WHERE instance_id = NEW.instance_id AND retry_of = NEW.remote_id AND id <> NEW.id
      AND retry_of_id IS NOT NEW.id;
END;
CREATE TRIGGER executions_n8n_original_update AFTER UPDATE OF remote_id ON executions
WHEN NEW.remote_id IS NOT NULL AND NEW.remote_id IS NOT OLD.remote_id
BEGIN
  UPDATE executions SET retry_kind = 'n8n', retry_of_id = NEW.id
    WHERE instance_id = NEW.instance_id AND retry_of = NEW.remote_id AND id <> NEW.id
      AND retry_of_id IS NOT NEW.id;
END;

-- Metrics per run. A row counts as a run (total, outcomes, run time, queue wait) only while no
-- retry supersedes it: a retried run counts once, by the outcome of its newest retry. Attempts
-- are their own series and count every terminal row, superseded or not:
--   attempts         webhook calls of a local run (executions.attempts); 1 per synced n8n execution;
--   failed_attempts  of those, the calls n8n did not answer 2xx (a synced execution: status failed).
ALTER TABLE metric_rollups ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE metric_rollups ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER metric_rollups_insert;
DROP TRIGGER metric_rollups_delete;
DROP TRIGGER metric_rollups_update_old;
DROP TRIGGER metric_rollups_update_new;

-- The same four triggers as 0007 (see there for why triggers), with the contributions above.
-- Generated once from one definition; rollup-batch.ts folds rows with the same expressions.
CREATE TRIGGER metric_rollups_insert AFTER INSERT ON executions
WHEN NEW.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND (SELECT defer_above_id FROM metric_state WHERE id = 1) IS NULL
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

CREATE TRIGGER metric_rollups_delete AFTER DELETE ON executions
WHEN OLD.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND OLD.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), OLD.id)
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

CREATE TRIGGER metric_rollups_update_old AFTER UPDATE OF status, created_at_ms, instance_id, workflow_id, mapping_id, duration_ms, queue_wait_ms, superseded_by_id, attempts, response_status, source ON executions
WHEN OLD.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND OLD.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), OLD.id)
  AND (OLD.status IS NOT NEW.status OR OLD.created_at_ms IS NOT NEW.created_at_ms OR OLD.instance_id IS NOT NEW.instance_id OR OLD.workflow_id IS NOT NEW.workflow_id OR OLD.mapping_id IS NOT NEW.mapping_id OR OLD.duration_ms IS NOT NEW.duration_ms OR OLD.queue_wait_ms IS NOT NEW.queue_wait_ms OR OLD.superseded_by_id IS NOT NEW.superseded_by_id OR OLD.attempts IS NOT NEW.attempts OR OLD.response_status IS NOT NEW.response_status OR OLD.source IS NOT NEW.source)
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

CREATE TRIGGER metric_rollups_update_new AFTER UPDATE OF status, created_at_ms, instance_id, workflow_id, mapping_id, duration_ms, queue_wait_ms, superseded_by_id, attempts, response_status, source ON executions
WHEN NEW.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND NEW.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), NEW.id)
  AND (OLD.status IS NOT NEW.status OR OLD.created_at_ms IS NOT NEW.created_at_ms OR OLD.instance_id IS NOT NEW.instance_id OR OLD.workflow_id IS NOT NEW.workflow_id OR OLD.mapping_id IS NOT NEW.mapping_id OR OLD.duration_ms IS NOT NEW.duration_ms OR OLD.queue_wait_ms IS NOT NEW.queue_wait_ms OR OLD.superseded_by_id IS NOT NEW.superseded_by_id OR OLD.attempts IS NOT NEW.attempts OR OLD.response_status IS NOT NEW.response_status OR OLD.source IS NOT NEW.source)
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

-- Rebuild the rollups under the new definitions (one GROUP BY over the kept executions).
DELETE FROM metric_rollups;
INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered, canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, attempts, failed_attempts, hist_json, revision)
  SELECT grain_ms, bucket_ms, i, w, m, SUM(total), SUM(succeeded), SUM(failed), SUM(dead_lettered), SUM(canceled), SUM(rejected), SUM(duration_count), SUM(duration_sum_ms), SUM(queue_wait_count), SUM(queue_wait_sum_ms), SUM(attempts), SUM(failed_attempts),
    json_group_object(bin, timed) FILTER (WHERE bin IS NOT NULL), (SELECT version FROM metric_state WHERE id = 1)
  FROM (
    SELECT g.ms AS grain_ms, e.created_at_ms - (e.created_at_ms % g.ms) AS bucket_ms, coalesce(e.instance_id, '') AS i,
      coalesce(e.workflow_id, '') AS w, coalesce(e.mapping_id, '') AS m,
      CASE WHEN (e.superseded_by_id IS NULL AND e.duration_ms IS NOT NULL) THEN CAST((CASE WHEN e.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(e.duration_ms) AS INTEGER) END) AS TEXT) END AS bin,
      SUM((e.superseded_by_id IS NULL)) AS total,
      SUM((e.superseded_by_id IS NULL AND e.status = 'succeeded')) AS succeeded,
      SUM((e.superseded_by_id IS NULL AND e.status = 'failed')) AS failed,
      SUM((e.superseded_by_id IS NULL AND e.status = 'dead_lettered')) AS dead_lettered,
      SUM((e.superseded_by_id IS NULL AND e.status = 'canceled')) AS canceled,
      SUM((e.superseded_by_id IS NULL AND e.status = 'rejected')) AS rejected,
      SUM((e.superseded_by_id IS NULL AND e.duration_ms IS NOT NULL)) AS duration_count,
      SUM((CASE WHEN e.superseded_by_id IS NULL THEN coalesce(e.duration_ms, 0) ELSE 0 END)) AS duration_sum_ms,
      SUM((e.superseded_by_id IS NULL AND e.queue_wait_ms IS NOT NULL)) AS queue_wait_count,
      SUM((CASE WHEN e.superseded_by_id IS NULL THEN coalesce(e.queue_wait_ms, 0) ELSE 0 END)) AS queue_wait_sum_ms,
      SUM((CASE WHEN e.source = 'remote' THEN 1 ELSE e.attempts END)) AS attempts,
      SUM((CASE WHEN e.source = 'remote' THEN e.status = 'failed' ELSE max(e.attempts - (coalesce(e.response_status, 0) BETWEEN 200 AND 299), 0) END)) AS failed_attempts,
      SUM((e.superseded_by_id IS NULL AND e.duration_ms IS NOT NULL)) AS timed
    FROM executions e, (SELECT 3600000 AS ms UNION ALL SELECT 86400000) AS g
    WHERE true AND e.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
    GROUP BY 1, 2, 3, 4, 5, 6
  ) WHERE true
  GROUP BY grain_ms, bucket_ms, i, w, m;
UPDATE metric_state SET version = version + 1 WHERE id = 1;
