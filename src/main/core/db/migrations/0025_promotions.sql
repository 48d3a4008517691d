-- 0025_promotions: workflows promoted from one n8n instance into another, and their rollback.
--
-- promotions: one row per promotion (who, when, from where to where, how live state was set).
-- promotion_items: one row per workflow, with what the target had before (previous_json: the
-- remote workflow as n8n answered it, saved draft and published version, NULL when the promotion
-- created it) and what the target held right after (after_version_id, after_updated_at_ms), so a
-- rollback can refuse when the target moved since.
CREATE TABLE promotions (
  id                  INTEGER PRIMARY KEY,
  actor               TEXT NOT NULL,
  created_at_ms       INTEGER NOT NULL,
  source_instance_id  TEXT NOT NULL,
  target_instance_id  TEXT NOT NULL,
  version             TEXT NOT NULL CHECK (version IN ('draft', 'published')),
  activation          TEXT NOT NULL CHECK (activation IN ('keep', 'active', 'inactive')),
  status              TEXT NOT NULL CHECK (status IN ('running', 'done', 'partial', 'failed', 'rolled-back')),
  rolled_back_at_ms   INTEGER,
  rolled_back_by      TEXT
) STRICT;

CREATE TABLE promotion_items (
  id                   INTEGER PRIMARY KEY,
  promotion_id         INTEGER NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
  position             INTEGER NOT NULL,
  source_workflow_id   TEXT NOT NULL,
  name                 TEXT NOT NULL,
  action               TEXT NOT NULL CHECK (action IN ('created', 'updated', 'unchanged', 'failed')),
  target_workflow_id   TEXT,
  previous_json        TEXT,
  active_before        INTEGER,
  active_after         INTEGER,
  after_version_id     TEXT,
  after_updated_at_ms  INTEGER,
  error                TEXT,
  rollback             TEXT
) STRICT;
CREATE INDEX promotion_items_promotion ON promotion_items (promotion_id, position);
