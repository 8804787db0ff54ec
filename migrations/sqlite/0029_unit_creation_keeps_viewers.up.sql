-- atlas:delimiter \n\n

-- A new unit is inserted with a placeholder path (its parent's path + 'new/',
-- or '/pending/' for a tenant root) that a second statement completes with
-- its id (authz.UnitPathHook). That update moves nothing: no viewer of the
-- tenant changes, so it no longer counts as a tenant-wide change. Only real
-- moves, and kind or tenant changes of a placed unit, do. Real paths hold
-- only ids, so the placeholders cannot be mistaken for them.
DROP TRIGGER `viewer_generations_unit_update`;

CREATE TRIGGER `viewer_generations_unit_update` AFTER UPDATE OF `scope_path`, `kind`, `tenant_id` ON `units`
WHEN OLD.`scope_path` NOT LIKE '%/new/' AND OLD.`scope_path` <> '/pending/'
  AND (OLD.`scope_path` IS NOT NEW.`scope_path` OR OLD.`kind` IS NOT NEW.`kind` OR OLD.`tenant_id` IS NOT NEW.`tenant_id`)
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, 0, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;
