-- 0023_executions_sort: the Executions list sorts on the server (started, finished, duration,
-- status) with keyset pages. Each index is on exactly the expression that
-- src/main/core/n8n/executions-reader.ts (SORT_SQL) orders by, so any page of any sort is one
-- index range, at 100k rows as at 100. The row id after each key is implicit in every index.
-- (status, created_at_ms) replaces executions_status (status, created_at_ms DESC): read backwards
-- it serves a status filter newest first with the id tie-break in order, and the status sort.
-- Append-only: never edit a migration that has shipped; add the next number instead.
DROP INDEX executions_status;
CREATE INDEX executions_sort_status ON executions (status, created_at_ms);
CREATE INDEX executions_sort_started ON executions (COALESCE(started_at_ms, created_at_ms));
CREATE INDEX executions_sort_finished ON executions (COALESCE(finished_at_ms, -1));
CREATE INDEX executions_sort_duration ON executions (COALESCE(duration_ms, -1));
