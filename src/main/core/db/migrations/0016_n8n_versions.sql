-- 0016_n8n_versions: n8n 2.x publishes a version instead of activating the saved one, so a
-- workflow can run one version (published) while n8n holds a newer saved draft.
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- workflows.webhook_paths_json keeps meaning "where the workflow is served": from now on the
-- paths of the published version when one is live (else the saved draft's). The draft's own
-- paths, the published version's id and when Flightdeck saw it go live are kept beside it.
ALTER TABLE workflows ADD COLUMN active_version_id TEXT;
ALTER TABLE workflows ADD COLUMN draft_webhook_paths_json TEXT NOT NULL DEFAULT '[]';
-- 1 when n8n holds a saved draft that is not the published version (edited without publishing).
ALTER TABLE workflows ADD COLUMN draft_differs INTEGER NOT NULL DEFAULT 0 CHECK (draft_differs IN (0, 1));
ALTER TABLE workflows ADD COLUMN is_archived INTEGER NOT NULL DEFAULT 0 CHECK (is_archived IN (0, 1));
-- When Flightdeck (its own publish, or a sync pass) saw the current live version appear; the
-- dispatcher's grace for the 404s n8n 2.x answers while it registers webhooks after a publish.
ALTER TABLE workflows ADD COLUMN live_since_ms INTEGER;

-- drafts: which version a clone was taken from ('draft': n8n's saved version; 'published': the
-- version that was live). base_version_id names that version either way.
ALTER TABLE drafts ADD COLUMN base_kind TEXT NOT NULL DEFAULT 'draft' CHECK (base_kind IN ('draft', 'published'));
