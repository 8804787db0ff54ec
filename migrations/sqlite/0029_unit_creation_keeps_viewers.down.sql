-- atlas:delimiter \n\n

DROP TRIGGER `viewer_generations_unit_update`;

CREATE TRIGGER `viewer_generations_unit_update` AFTER UPDATE OF `scope_path`, `kind`, `tenant_id` ON `units`
WHEN OLD.`scope_path` IS NOT NEW.`scope_path` OR OLD.`kind` IS NOT NEW.`kind` OR OLD.`tenant_id` IS NOT NEW.`tenant_id`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, 0, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;
