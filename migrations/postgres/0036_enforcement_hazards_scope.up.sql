-- Hand-written: an enforcement action's hazard link is scoped by its hazard,
-- not by its action (docs/AUTHZ.md, parts read as what they are about): each
-- link row takes the tenant and scope columns of its hazard (path, sector,
-- enterprise) and no issuer side, so that the read filter shows a link, which
-- names its hazard's id, exactly to those who read that hazard. Rows written
-- before copied the action's columns: its target's scope and the issuing
-- department's path on the issuer side.
UPDATE enforcement_hazards SET
  tenant_id = (SELECT h.tenant_id FROM hazards h WHERE h.id = enforcement_hazards.hazard_id),
  scope_path = (SELECT h.scope_path FROM hazards h WHERE h.id = enforcement_hazards.hazard_id),
  scope_sector = (SELECT h.scope_sector FROM hazards h WHERE h.id = enforcement_hazards.hazard_id),
  scope_enterprise_id = (SELECT h.scope_enterprise_id FROM hazards h WHERE h.id = enforcement_hazards.hazard_id),
  issuer_scope_path = NULL,
  issuer_only = false
WHERE EXISTS (SELECT 1 FROM hazards h WHERE h.id = enforcement_hazards.hazard_id);
