-- 0013_links_and_waits: one row per n8n execution, runs n8n never confirmed, and waits for the inbox.
-- (Numbered 0016 in the plan of issue #12; the lead renumbers at merge.)
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- n8n's public webhook base (its WEBHOOK_URL) when it differs from the address the console uses:
-- `$execution.resumeUrl` is built on it, so wait registrations on it belong to this instance.
ALTER TABLE instances ADD COLUMN public_webhook_url TEXT;
-- Executions started directly in n8n that wait on a webhook-resumed Wait node join the inbox:
-- {"enabled": bool, "workflowIds": [n8n workflow ids; empty = every workflow]}.
ALTER TABLE instances ADD COLUMN wait_inbox_json TEXT NOT NULL DEFAULT '{"enabled":false,"workflowIds":[]}';

-- When n8n itself showed this local run's execution (the linker read its mark, or a sync or a
-- refresh read it by id). NULL: not yet confirmed by n8n, even when n8n's answer named an id.
ALTER TABLE executions ADD COLUMN linked_at_ms INTEGER;
-- When the linker gave up waiting for n8n to show a run it had acknowledged (the run may never
-- have run); cleared if it shows up after all.
ALTER TABLE executions ADD COLUMN unconfirmed_at_ms INTEGER;
-- What a waiting execution waits on (node, resume kind, the item it holds, workflow name), as
-- read from n8n's run data: the inbox title and payload come from it.
ALTER TABLE executions ADD COLUMN wait_json TEXT;
UPDATE executions SET linked_at_ms = updated_at_ms WHERE source = 'local' AND remote_id IS NOT NULL;

-- The linker's work list: local runs n8n has not confirmed yet, recent ones first (runs that never
-- reached n8n, such as dead letters after a 404, stay unlinked and fall out by time).
CREATE INDEX executions_unlinked ON executions (updated_at_ms)
  WHERE source = 'local' AND linked_at_ms IS NULL;

-- How far the wait watch of an instance has looked: every n8n execution id up to scanned_to_id
-- was listed or asked for, so a restart does not miss the waits started while it was closed.
CREATE TABLE n8n_wait_watch (
  instance_id    TEXT PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
  scanned_to_id  INTEGER NOT NULL,
  updated_at_ms  INTEGER NOT NULL
) STRICT;

-- Whoever gives a local run its n8n execution id (the linker, or the dispatcher from n8n's
-- answer), a row the sync stored for that execution first is folded into the run: the inbox
-- item follows it and the synced row goes (its rollups with it), so one execution is one row.
CREATE TRIGGER executions_fold_remote BEFORE UPDATE OF remote_id ON executions
WHEN NEW.source = 'local' AND NEW.remote_id IS NOT NULL AND NEW.remote_id IS NOT OLD.remote_id
BEGIN
  UPDATE approvals SET execution_id = NEW.id
    WHERE kind = 'wait' AND instance_id = NEW.instance_id AND remote_execution_id = NEW.remote_id
      AND execution_id IS NOT NEW.id;
  DELETE FROM executions WHERE instance_id = NEW.instance_id AND remote_id = NEW.remote_id AND source = 'remote';
END;
