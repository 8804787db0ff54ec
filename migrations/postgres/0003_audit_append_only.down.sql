-- Hand-written: reverses 0003_audit_append_only.up.sql.
DELETE FROM casbin_rules WHERE ptype = 'p' AND v1 IN ('AUDITOR', 'ADMIN') AND v2 = 'audit' AND v3 = 'read';
UPDATE policy_revisions SET revision = revision + 1, changed_at = now();
DROP TRIGGER audit_events_head ON audit_events;
DROP FUNCTION audit_events_advance_head();
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_no_update ON audit_events;
DROP FUNCTION audit_events_append_only();
