-- 0018_team: accounts, roles, sessions and personal API tokens for team mode; who requested a
-- run; the approvals of items that need more than one approver.
-- Append-only: never edit a migration that has shipped; add the next number instead.

-- One row once `flightdeck team enable` switched this data folder to team mode (none: single operator).
CREATE TABLE team_mode (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  enabled_at_ms  INTEGER NOT NULL,
  enabled_by     TEXT NOT NULL              -- who ran the command (OS user), as the audit log says
) STRICT;

-- Accounts. password_hash is `$scrypt$ln=17,r=8,p=1$<salt>$<key>` (base64, no padding).
CREATE TABLE users (
  id                  INTEGER PRIMARY KEY,
  username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name        TEXT NOT NULL,
  role                TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'editor', 'admin')),
  password_hash       TEXT NOT NULL,
  disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins       INTEGER NOT NULL DEFAULT 0, -- failed sign-ins in a row (reset by a success)
  locked_until_ms     INTEGER,                    -- refused until then after too many failures
  created_at_ms       INTEGER NOT NULL,
  updated_at_ms       INTEGER NOT NULL,
  password_changed_at_ms INTEGER NOT NULL,
  last_login_at_ms    INTEGER
) STRICT;

-- Sign-ins. The cookie holds a random secret; only its SHA-256 is kept, so a copy of the store
-- opens no session.
CREATE TABLE sessions (
  id              INTEGER PRIMARY KEY,
  user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash      TEXT NOT NULL UNIQUE,
  created_at_ms   INTEGER NOT NULL,
  expires_at_ms   INTEGER NOT NULL,
  last_seen_at_ms INTEGER NOT NULL,
  revoked_at_ms   INTEGER,
  address         TEXT,
  user_agent      TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at_ms IS NULL;

-- Personal API tokens (scripts, the CLI): scoped to a role at most their owner's; hashed as sessions.
CREATE TABLE api_tokens (
  id              INTEGER PRIMARY KEY,
  user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'editor', 'admin')),
  token_hash      TEXT NOT NULL UNIQUE,
  prefix          TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  expires_at_ms   INTEGER NOT NULL,
  last_used_at_ms INTEGER,
  revoked_at_ms   INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Who asked for a local run (emitted it from the console or the CLI, or retried it): the user in
-- team mode, the operator name otherwise; NULL for machine traffic (signed HTTP, schedules).
ALTER TABLE executions ADD COLUMN requested_by TEXT;

-- Approvals given so far to an item whose mapping needs more than one approver (team mode).
CREATE TABLE approval_votes (
  approval_id  INTEGER NOT NULL REFERENCES approvals (id) ON DELETE CASCADE,
  voter        TEXT NOT NULL,
  at_ms        INTEGER NOT NULL,
  comment      TEXT,
  PRIMARY KEY (approval_id, voter)
) STRICT;

-- Who asked for a draft push, so a push replayed later is still theirs in the audit log.
ALTER TABLE draft_pushes ADD COLUMN requested_by TEXT;

CREATE INDEX audit_log_actor ON audit_log (actor, id);
