-- 0017_approval_source: who registered an n8n wait, and what it asks the operator to read.
-- (0016 is another branch's; this number waits for it on main.)
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- 'flightdeck-node' for a wait registered by the n8n node "Flightdeck: Request Approval"
-- (POST /approvals with its marker); NULL for gates, hand-made registrations and synced waits.
ALTER TABLE approvals ADD COLUMN source TEXT;
-- The longer text the registration sent beside its one-line summary (the inbox title).
ALTER TABLE approvals ADD COLUMN description TEXT;
-- The fields to show, in order: [{"name": "amount", "value": 40}, …]; NULL when none were sent.
ALTER TABLE approvals ADD COLUMN fields_json TEXT;
