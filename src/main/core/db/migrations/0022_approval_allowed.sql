-- 0022_approval_allowed: who may decide an n8n wait registered with "allowed approvers or role".
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- {"users": ["alice", …], "role": "editor" | null} as the registration sent it (the n8n node
-- "Flightdeck: Request Approval" or a hand-made POST /approvals). In team mode only those users,
-- or accounts with at least that role, may decide; NULL: whoever may decide approvals.
ALTER TABLE approvals ADD COLUMN allowed_json TEXT;
