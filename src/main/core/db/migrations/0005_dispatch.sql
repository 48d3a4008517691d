-- 0005_dispatch: what the dispatch pipeline records on a local run.
-- idempotency_key: one run per (key, mapping); remembered as long as the run is kept.
ALTER TABLE executions ADD COLUMN event TEXT;
ALTER TABLE executions ADD COLUMN idempotency_key TEXT;
ALTER TABLE executions ADD COLUMN request_json TEXT;            -- the exact request (no secrets)
ALTER TABLE executions ADD COLUMN response_status INTEGER;      -- last HTTP status from n8n
ALTER TABLE executions ADD COLUMN response_excerpt TEXT;        -- first 2 KB of the last response body
ALTER TABLE executions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN source_kind TEXT;             -- ui, cli, http, schedule, approval, retry
CREATE UNIQUE INDEX executions_idempotency ON executions (idempotency_key) WHERE idempotency_key IS NOT NULL;
