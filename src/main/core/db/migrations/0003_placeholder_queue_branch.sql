-- 0003_placeholder_queue_branch: DELETE AT MERGE. The queue branch was given migration 0004 while
-- 0003 belongs to another branch; migrations must run 1..n without gaps, so this empty step
-- stands in for 0003 on the queue branch only.
SELECT 1;
