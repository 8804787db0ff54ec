-- Hand-written: ent's schema cannot express triggers or policy data. Listed in
-- atlas.sum by `make migrations-hash` (see migrations/embed.go).
--
-- The audit log is append-only in the database too: every UPDATE, DELETE and
-- TRUNCATE of audit_events is refused, whoever runs it.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
-- The chain head carries the hash of its last event, so that the next append
-- reads it with the same statement that locks the head (internal/audit).
CREATE FUNCTION audit_events_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE audit_heads SET hash = NEW.hash WHERE tenant_id = NEW.tenant_id AND seq = NEW.seq;
  RETURN NULL;
END;
$$;
CREATE TRIGGER audit_events_head AFTER INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_advance_head();
-- Reading the audit log needs an explicit rule ("*" no longer covers it):
-- give AUDITOR and ADMIN of every tenant with a policy the default rows.
INSERT INTO casbin_rules (ptype, v0, v1, v2, v3)
  SELECT DISTINCT 'p', v0, r.role, 'audit', 'read' FROM casbin_rules, (VALUES ('AUDITOR'), ('ADMIN')) AS r(role)
  WHERE ptype = 'p'
  ON CONFLICT DO NOTHING;
UPDATE policy_revisions SET revision = revision + 1, changed_at = now();
