-- Hand-written: gives member rows their group's scope columns again, as
-- before 0035_group_members_scope.up.sql.
UPDATE group_members SET
  scope_path = (SELECT g.scope_path FROM leadership_groups g WHERE g.id = group_members.group_id),
  scope_sector = (SELECT g.scope_sector FROM leadership_groups g WHERE g.id = group_members.group_id),
  scope_enterprise_id = (SELECT g.scope_enterprise_id FROM leadership_groups g WHERE g.id = group_members.group_id)
WHERE EXISTS (SELECT 1 FROM leadership_groups g WHERE g.id = group_members.group_id);
