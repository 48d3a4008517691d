-- 0005_placeholder_metrics_branch: stands in for another branch's migration so that 0006 applies in
-- this worktree (the ledger refuses gaps). The integrator deletes this file at merge.
SELECT 1;
