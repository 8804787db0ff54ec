-- Hand-written: gives hazard links their action's scope columns again (its
-- target's scope, the issuing department's path on the issuer side), as
-- before 0036_enforcement_hazards_scope.up.sql.
UPDATE enforcement_hazards SET
  tenant_id = (SELECT a.tenant_id FROM enforcement_actions a WHERE a.id = enforcement_hazards.enforcement_action_id),
  scope_path = (SELECT a.scope_path FROM enforcement_actions a WHERE a.id = enforcement_hazards.enforcement_action_id),
  scope_sector = (SELECT a.scope_sector FROM enforcement_actions a WHERE a.id = enforcement_hazards.enforcement_action_id),
  scope_enterprise_id = (SELECT a.scope_enterprise_id FROM enforcement_actions a WHERE a.id = enforcement_hazards.enforcement_action_id),
  issuer_scope_path = (SELECT a.issuer_scope_path FROM enforcement_actions a WHERE a.id = enforcement_hazards.enforcement_action_id),
  issuer_only = (SELECT a.issuer_only FROM enforcement_actions a WHERE a.id = enforcement_hazards.enforcement_action_id)
WHERE EXISTS (SELECT 1 FROM enforcement_actions a WHERE a.id = enforcement_hazards.enforcement_action_id);
