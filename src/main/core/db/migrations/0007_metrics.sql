-- 0007_metrics: rollups of the executions table, gauge samples, alert rules and alerts, and the
-- monitoring event log.
--
-- Rollups are kept current by triggers on `executions`, not by a background watermark job:
-- a row's contribution can change after it was counted (a status rewritten by the sync, a
-- retention delete), and a trigger sees OLD and NEW, so it subtracts the old contribution and
-- adds the new one exactly, inside the writer's own transaction. A watermark on updated_at_ms
-- would need a per-execution copy of what was counted to do the same, would lag behind the
-- table, and would miss rows whose writer reused an older updated_at_ms. The cost lands on the
-- writer's path and is measured in tests/bench/metrics.bench.ts.
--
-- Only terminal executions are counted (see TERMINAL_STATUSES); an execution belongs to the
-- bucket of its created_at_ms. Two grains are kept: hours (3 600 000 ms) and UTC days
-- (86 400 000 ms), so a 30-day dashboard reads ~30 rows per workflow instead of ~720.
-- Missing dimensions are stored as '' so they can be part of the primary key.

CREATE TABLE metric_rollups (
  grain_ms           INTEGER NOT NULL,       -- 3600000 (hour) or 86400000 (day)
  bucket_ms          INTEGER NOT NULL,       -- start of the bucket, a multiple of grain_ms (UTC)
  instance_id        TEXT NOT NULL,
  workflow_id        TEXT NOT NULL,
  mapping_id         TEXT NOT NULL,
  total              INTEGER NOT NULL DEFAULT 0,
  succeeded          INTEGER NOT NULL DEFAULT 0,
  failed             INTEGER NOT NULL DEFAULT 0,
  dead_lettered      INTEGER NOT NULL DEFAULT 0,
  canceled           INTEGER NOT NULL DEFAULT 0,
  rejected           INTEGER NOT NULL DEFAULT 0,
  duration_count     INTEGER NOT NULL DEFAULT 0,
  duration_sum_ms    INTEGER NOT NULL DEFAULT 0,
  queue_wait_count   INTEGER NOT NULL DEFAULT 0,
  queue_wait_sum_ms  INTEGER NOT NULL DEFAULT 0,
  -- Duration histogram, {"bin": count}: log-spaced, 8 bins per doubling. Bin 0 holds durations
  -- below 1 ms; bin b >= 1 holds [2^((b-1)/8), 2^(b/8)) ms. One JSON object per row (not a row
  -- per bin) so a 30-day dashboard merges ~600 small objects instead of grouping ~40 000 rows.
  hist_json          TEXT NOT NULL DEFAULT '{}',
  -- metric_state.version when this row last changed: unique per change, so readers can cache
  -- the parsed histogram of a row until its revision moves.
  revision           INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id)
) STRICT, WITHOUT ROWID;

-- Bumped by every trigger run: the module compares it to announce metrics:updated (throttled).
-- defer_above_id lets a bulk writer (the n8n sync, a page of 250 new rows in one transaction)
-- fold its rows in with one GROUP BY instead of two rollup upserts per row: while it is set,
-- the triggers leave executions with a higher id alone, and the writer counts those rows'
-- final state before clearing it in the same transaction (src/main/core/metrics/rollup-batch.ts).
CREATE TABLE metric_state (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  version         INTEGER NOT NULL,
  defer_above_id  INTEGER
) STRICT;
INSERT INTO metric_state (id, version) VALUES (1, 0);

-- The contribution of one execution row: added on insert, taken away on delete, and both on an
-- update of a column that matters (two triggers: the old row's part, then the new row's).
-- Each statement names its grain as a literal so that it is a primary-key lookup.
CREATE TRIGGER metric_rollups_insert AFTER INSERT ON executions
WHEN NEW.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND (SELECT defer_above_id FROM metric_state WHERE id = 1) IS NULL
BEGIN
  INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered,
     canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, hist_json, revision)
  VALUES (3600000, NEW.created_at_ms - (NEW.created_at_ms % 3600000), coalesce(NEW.instance_id, ''),
     coalesce(NEW.workflow_id, ''), coalesce(NEW.mapping_id, ''), 1, NEW.status = 'succeeded',
     NEW.status = 'failed', NEW.status = 'dead_lettered', NEW.status = 'canceled', NEW.status = 'rejected',
     NEW.duration_ms IS NOT NULL, coalesce(NEW.duration_ms, 0), NEW.queue_wait_ms IS NOT NULL,
     coalesce(NEW.queue_wait_ms, 0),
     CASE WHEN NEW.duration_ms IS NULL THEN '{}' ELSE json_object(CAST((CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) AS TEXT), 1) END,
     (SELECT version FROM metric_state WHERE id = 1))
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
    total = total + 1, succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed, dead_lettered = dead_lettered + excluded.dead_lettered,
    canceled = canceled + excluded.canceled, rejected = rejected + excluded.rejected,
    duration_count = duration_count + excluded.duration_count,
    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
    queue_wait_count = queue_wait_count + excluded.queue_wait_count,
    queue_wait_sum_ms = queue_wait_sum_ms + excluded.queue_wait_sum_ms,
    hist_json = CASE WHEN NEW.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"'), 0) + 1) END;
  INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered,
     canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, hist_json, revision)
  VALUES (86400000, NEW.created_at_ms - (NEW.created_at_ms % 86400000), coalesce(NEW.instance_id, ''),
     coalesce(NEW.workflow_id, ''), coalesce(NEW.mapping_id, ''), 1, NEW.status = 'succeeded',
     NEW.status = 'failed', NEW.status = 'dead_lettered', NEW.status = 'canceled', NEW.status = 'rejected',
     NEW.duration_ms IS NOT NULL, coalesce(NEW.duration_ms, 0), NEW.queue_wait_ms IS NOT NULL,
     coalesce(NEW.queue_wait_ms, 0),
     CASE WHEN NEW.duration_ms IS NULL THEN '{}' ELSE json_object(CAST((CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) AS TEXT), 1) END,
     (SELECT version FROM metric_state WHERE id = 1))
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
    total = total + 1, succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed, dead_lettered = dead_lettered + excluded.dead_lettered,
    canceled = canceled + excluded.canceled, rejected = rejected + excluded.rejected,
    duration_count = duration_count + excluded.duration_count,
    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
    queue_wait_count = queue_wait_count + excluded.queue_wait_count,
    queue_wait_sum_ms = queue_wait_sum_ms + excluded.queue_wait_sum_ms,
    hist_json = CASE WHEN NEW.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"'), 0) + 1) END;
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER metric_rollups_delete AFTER DELETE ON executions
WHEN OLD.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND OLD.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), OLD.id)
BEGIN
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - 1, succeeded = succeeded - (OLD.status = 'succeeded'),
    failed = failed - (OLD.status = 'failed'), dead_lettered = dead_lettered - (OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.status = 'canceled'), rejected = rejected - (OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - coalesce(OLD.duration_ms, 0),
    queue_wait_count = queue_wait_count - (OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - coalesce(OLD.queue_wait_ms, 0),
    hist_json = CASE WHEN OLD.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 3600000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 3600000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - 1, succeeded = succeeded - (OLD.status = 'succeeded'),
    failed = failed - (OLD.status = 'failed'), dead_lettered = dead_lettered - (OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.status = 'canceled'), rejected = rejected - (OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - coalesce(OLD.duration_ms, 0),
    queue_wait_count = queue_wait_count - (OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - coalesce(OLD.queue_wait_ms, 0),
    hist_json = CASE WHEN OLD.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 86400000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 86400000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER metric_rollups_update_old AFTER UPDATE OF status, created_at_ms, instance_id, workflow_id, mapping_id, duration_ms, queue_wait_ms ON executions
WHEN OLD.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND OLD.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), OLD.id)
  AND (OLD.status IS NOT NEW.status OR OLD.created_at_ms IS NOT NEW.created_at_ms
       OR OLD.instance_id IS NOT NEW.instance_id OR OLD.workflow_id IS NOT NEW.workflow_id
       OR OLD.mapping_id IS NOT NEW.mapping_id OR OLD.duration_ms IS NOT NEW.duration_ms
       OR OLD.queue_wait_ms IS NOT NEW.queue_wait_ms)
BEGIN
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - 1, succeeded = succeeded - (OLD.status = 'succeeded'),
    failed = failed - (OLD.status = 'failed'), dead_lettered = dead_lettered - (OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.status = 'canceled'), rejected = rejected - (OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - coalesce(OLD.duration_ms, 0),
    queue_wait_count = queue_wait_count - (OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - coalesce(OLD.queue_wait_ms, 0),
    hist_json = CASE WHEN OLD.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 3600000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 3600000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_rollups SET
    revision = (SELECT version FROM metric_state WHERE id = 1),
    total = total - 1, succeeded = succeeded - (OLD.status = 'succeeded'),
    failed = failed - (OLD.status = 'failed'), dead_lettered = dead_lettered - (OLD.status = 'dead_lettered'),
    canceled = canceled - (OLD.status = 'canceled'), rejected = rejected - (OLD.status = 'rejected'),
    duration_count = duration_count - (OLD.duration_ms IS NOT NULL),
    duration_sum_ms = duration_sum_ms - coalesce(OLD.duration_ms, 0),
    queue_wait_count = queue_wait_count - (OLD.queue_wait_ms IS NOT NULL),
    queue_wait_sum_ms = queue_wait_sum_ms - coalesce(OLD.queue_wait_ms, 0),
    hist_json = CASE WHEN OLD.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN OLD.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(OLD.duration_ms) AS INTEGER) END) || '"'), 0) - 1) END
  WHERE grain_ms = 86400000 AND bucket_ms = OLD.created_at_ms - (OLD.created_at_ms % 86400000)
    AND instance_id = coalesce(OLD.instance_id, '') AND workflow_id = coalesce(OLD.workflow_id, '')
    AND mapping_id = coalesce(OLD.mapping_id, '');
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER metric_rollups_update_new AFTER UPDATE OF status, created_at_ms, instance_id, workflow_id, mapping_id, duration_ms, queue_wait_ms ON executions
WHEN NEW.status IN ('succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected')
  AND NEW.id <= coalesce((SELECT defer_above_id FROM metric_state WHERE id = 1), NEW.id)
  AND (OLD.status IS NOT NEW.status OR OLD.created_at_ms IS NOT NEW.created_at_ms
       OR OLD.instance_id IS NOT NEW.instance_id OR OLD.workflow_id IS NOT NEW.workflow_id
       OR OLD.mapping_id IS NOT NEW.mapping_id OR OLD.duration_ms IS NOT NEW.duration_ms
       OR OLD.queue_wait_ms IS NOT NEW.queue_wait_ms)
BEGIN
  INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered,
     canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, hist_json, revision)
  VALUES (3600000, NEW.created_at_ms - (NEW.created_at_ms % 3600000), coalesce(NEW.instance_id, ''),
     coalesce(NEW.workflow_id, ''), coalesce(NEW.mapping_id, ''), 1, NEW.status = 'succeeded',
     NEW.status = 'failed', NEW.status = 'dead_lettered', NEW.status = 'canceled', NEW.status = 'rejected',
     NEW.duration_ms IS NOT NULL, coalesce(NEW.duration_ms, 0), NEW.queue_wait_ms IS NOT NULL,
     coalesce(NEW.queue_wait_ms, 0),
     CASE WHEN NEW.duration_ms IS NULL THEN '{}' ELSE json_object(CAST((CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) AS TEXT), 1) END,
     (SELECT version FROM metric_state WHERE id = 1))
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
    total = total + 1, succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed, dead_lettered = dead_lettered + excluded.dead_lettered,
    canceled = canceled + excluded.canceled, rejected = rejected + excluded.rejected,
    duration_count = duration_count + excluded.duration_count,
    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
    queue_wait_count = queue_wait_count + excluded.queue_wait_count,
    queue_wait_sum_ms = queue_wait_sum_ms + excluded.queue_wait_sum_ms,
    hist_json = CASE WHEN NEW.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"'), 0) + 1) END;
  INSERT INTO metric_rollups
    (grain_ms, bucket_ms, instance_id, workflow_id, mapping_id, total, succeeded, failed, dead_lettered,
     canceled, rejected, duration_count, duration_sum_ms, queue_wait_count, queue_wait_sum_ms, hist_json, revision)
  VALUES (86400000, NEW.created_at_ms - (NEW.created_at_ms % 86400000), coalesce(NEW.instance_id, ''),
     coalesce(NEW.workflow_id, ''), coalesce(NEW.mapping_id, ''), 1, NEW.status = 'succeeded',
     NEW.status = 'failed', NEW.status = 'dead_lettered', NEW.status = 'canceled', NEW.status = 'rejected',
     NEW.duration_ms IS NOT NULL, coalesce(NEW.duration_ms, 0), NEW.queue_wait_ms IS NOT NULL,
     coalesce(NEW.queue_wait_ms, 0),
     CASE WHEN NEW.duration_ms IS NULL THEN '{}' ELSE json_object(CAST((CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) AS TEXT), 1) END,
     (SELECT version FROM metric_state WHERE id = 1))
  ON CONFLICT DO UPDATE SET
    revision = excluded.revision,
    total = total + 1, succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed, dead_lettered = dead_lettered + excluded.dead_lettered,
    canceled = canceled + excluded.canceled, rejected = rejected + excluded.rejected,
    duration_count = duration_count + excluded.duration_count,
    duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
    queue_wait_count = queue_wait_count + excluded.queue_wait_count,
    queue_wait_sum_ms = queue_wait_sum_ms + excluded.queue_wait_sum_ms,
    hist_json = CASE WHEN NEW.duration_ms IS NULL THEN hist_json
      ELSE json_set(hist_json, '$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"', coalesce(hist_json ->> ('$."' || (CASE WHEN NEW.duration_ms < 1 THEN 0 ELSE 1 + CAST(8 * log2(NEW.duration_ms) AS INTEGER) END) || '"'), 0) + 1) END;
  UPDATE metric_state SET version = version + 1 WHERE id = 1;
END;

-- Gauges sampled from injected providers (queue depth, approvals pending, dead letters...).
CREATE TABLE metric_samples (
  gauge  TEXT NOT NULL,
  at_ms  INTEGER NOT NULL,
  value  REAL NOT NULL,
  PRIMARY KEY (gauge, at_ms)
) STRICT, WITHOUT ROWID;
CREATE INDEX metric_samples_at ON metric_samples (at_ms);

-- Operator-defined alert rules. params_json holds the kind's parameters (thresholds, windows).
CREATE TABLE alert_rules (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('error_rate', 'p95_duration', 'instance_down', 'queue_depth', 'dead_letter_growth')),
  params_json    TEXT NOT NULL,
  instance_id    TEXT,                        -- scope; NULL = every instance
  workflow_id    TEXT,                        -- scope; NULL = every workflow
  enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  cooldown_ms    INTEGER NOT NULL,            -- after a resolve, the same rule+subject stays quiet this long
  created_at_ms  INTEGER NOT NULL,
  updated_at_ms  INTEGER NOT NULL
) STRICT;

-- Alerts: one open alert per rule and subject at most (the partial unique index), then history.
CREATE TABLE alerts (
  id              INTEGER PRIMARY KEY,
  rule_id         TEXT NOT NULL,              -- no FK: history outlives a deleted rule
  rule_name       TEXT NOT NULL,
  kind            TEXT NOT NULL,
  subject         TEXT NOT NULL,              -- what breached: 'all', an instance id, a workflow...
  state           TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
  value           REAL,                       -- the measured value when it fired
  threshold       REAL,
  message         TEXT NOT NULL,
  fired_at_ms     INTEGER NOT NULL,
  resolved_at_ms  INTEGER
) STRICT;
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule_id, subject) WHERE state = 'open';
CREATE INDEX alerts_fired ON alerts (fired_at_ms DESC);

-- Structured monitoring events (alerts, retention runs, sampling problems, other modules' notes).
CREATE TABLE monitoring_events (
  id           INTEGER PRIMARY KEY,
  at_ms        INTEGER NOT NULL,
  severity     TEXT NOT NULL CHECK (severity IN ('debug', 'info', 'warn', 'error')),
  kind         TEXT NOT NULL,                 -- dotted: 'alert.fired', 'retention.run', ...
  message      TEXT NOT NULL,
  fields_json  TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX monitoring_events_at ON monitoring_events (at_ms DESC);
CREATE INDEX monitoring_events_kind ON monitoring_events (kind, at_ms DESC);
