-- 0012_ingest_replay: signatures of accepted signed HTTP requests (events, approval
-- registrations), remembered for as long as their timestamp would still be accepted, so the
-- same signed request is accepted once, even across a restart inside that window.
--
-- signature_sha256: SHA-256 of the X-Flightdeck-Signature value (the signature itself is not
-- kept). expires_at_ms: the request's timestamp plus the allowed clock skew; after it the
-- timestamp alone refuses the request, so the row is pruned.
CREATE TABLE ingest_replay (
  signature_sha256  BLOB PRIMARY KEY,
  expires_at_ms     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX ingest_replay_expiry ON ingest_replay (expires_at_ms);
