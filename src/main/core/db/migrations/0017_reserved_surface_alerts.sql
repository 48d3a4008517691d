-- 0017_reserved: a placeholder on the surface-alerts branch for a migration another branch adds.
-- Delete this file when main's own 0017 arrives (the lead's merge).
SELECT 1;
