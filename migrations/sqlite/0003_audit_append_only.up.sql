-- atlas:delimiter \n\n

-- Hand-written: ent's schema cannot express triggers or policy data. Listed in
-- atlas.sum by `make migrations-hash` (see migrations/embed.go). Statements are
-- separated by blank lines (the directive above), for the trigger bodies' sake.
--
-- The audit log is append-only in the database too: UPDATE and DELETE of
-- audit_events are refused.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused');
END;

-- The chain head carries the hash of its last event, so that the next append
-- reads it with the same statement that advances the head (internal/audit).
CREATE TRIGGER audit_events_head AFTER INSERT ON audit_events
BEGIN
  UPDATE audit_heads SET hash = NEW.hash WHERE tenant_id = NEW.tenant_id AND seq = NEW.seq;
END;

-- Reading the audit log needs an explicit rule ("*" no longer covers it):
-- give AUDITOR and ADMIN of every tenant with a policy the default rows.
INSERT OR IGNORE INTO casbin_rules (ptype, v0, v1, v2, v3)
  SELECT DISTINCT 'p', v0, 'AUDITOR', 'audit', 'read' FROM casbin_rules WHERE ptype = 'p';

INSERT OR IGNORE INTO casbin_rules (ptype, v0, v1, v2, v3)
  SELECT DISTINCT 'p', v0, 'ADMIN', 'audit', 'read' FROM casbin_rules WHERE ptype = 'p';

UPDATE policy_revisions SET revision = revision + 1;
