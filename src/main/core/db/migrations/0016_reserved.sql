-- Placeholder: keeps version numbers gapless on the team-mode branch until the real 0016 lands from
-- another branch. The lead drops this file when merging (it must never ship).
SELECT 1;
