-- 0021_draft_history: three-way merge and local history of drafts.
--
-- drafts.base_workflow_json: the remote workflow the draft was taken from ({ name, nodes,
-- connections, settings }), kept at clone, push, pull and merge, so "mine" and "theirs" can
-- each be compared with it. NULL for drafts made before 0021 (their merge treats every
-- difference as a conflict) and for drafts never tied to n8n.
ALTER TABLE drafts ADD COLUMN base_workflow_json TEXT;

-- draft_versions: every push, pull, merge and restore of a draft keeps the workflow as it was
-- then (who, when, why, which instance). Deleted with its draft.
CREATE TABLE draft_versions (
  id                  INTEGER PRIMARY KEY,
  draft_id            TEXT NOT NULL,
  reason              TEXT NOT NULL CHECK (reason IN ('clone', 'import', 'create', 'push', 'pull', 'merge', 'restore')),
  actor               TEXT NOT NULL,        -- the team-mode user, else the local operator
  instance_id         TEXT,
  remote_workflow_id  TEXT,
  remote_version_id   TEXT,                 -- n8n's versionId at that moment, when known
  note                TEXT,
  workflow_json       TEXT NOT NULL,
  created_at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX draft_versions_draft ON draft_versions (draft_id, id DESC);
