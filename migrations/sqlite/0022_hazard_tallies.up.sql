-- atlas:delimiter \n\n

-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`. Statements are separated by blank lines (the
-- directive above), for the trigger bodies' sake.
--
-- hazard_tallies holds the number of hazards per key: tenant, scope bucket
-- (the subject enterprise's path for an enterprise-side hazard, the subject's
-- own path for a government unit's), sector, enterprise, level and state.
-- The triggers keep it equal to COUNT(*) of hazards inside the writing
-- statement, whoever writes (services, imports, the synthetic generator,
-- hand-written SQL); rows that fall to 0 stay. See internal/tally and
-- docs/ARCHITECTURE.md. A later migration that rebuilds the hazards table
-- (SQLite's ALTER by copy drops its triggers) must create them again.
CREATE TABLE `hazard_tallies` (
  `tenant_id` integer NOT NULL,
  `tally_key` text NOT NULL,
  `scope_path` text NOT NULL,
  `scope_sector` text NULL,
  `scope_enterprise_id` integer NULL,
  `level` text NOT NULL,
  `state` text NOT NULL,
  `n` integer NOT NULL,
  PRIMARY KEY (`tenant_id`, `tally_key`)
);

CREATE INDEX `hazard_tallies_tenant_id_scope_path` ON `hazard_tallies` (`tenant_id`, `scope_path`);

CREATE INDEX `hazard_tallies_scope_enterprise_id` ON `hazard_tallies` (`scope_enterprise_id`);

INSERT INTO `hazard_tallies` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
SELECT `tenant_id`, `tally_key`, `bucket`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, COUNT(*)
FROM (SELECT h.`tenant_id`, CASE WHEN h.`scope_enterprise_id` IS NULL OR instr(h.`scope_path`, '/' || h.`scope_enterprise_id` || '/') = 0 THEN h.`scope_path` ELSE substr(h.`scope_path`, 1, instr(h.`scope_path`, '/' || h.`scope_enterprise_id` || '/') + length(h.`scope_enterprise_id`) + 1) END || '|' || coalesce(h.`scope_sector`, '') || '|' || coalesce(h.`scope_enterprise_id`, 0) || '|' || h.`level` || '|' || h.`state` AS `tally_key`,
    CASE WHEN h.`scope_enterprise_id` IS NULL OR instr(h.`scope_path`, '/' || h.`scope_enterprise_id` || '/') = 0 THEN h.`scope_path` ELSE substr(h.`scope_path`, 1, instr(h.`scope_path`, '/' || h.`scope_enterprise_id` || '/') + length(h.`scope_enterprise_id`) + 1) END AS `bucket`, h.`scope_sector`, h.`scope_enterprise_id`, h.`level`, h.`state`
  FROM `hazards` AS h) AS k
GROUP BY `tenant_id`, `tally_key`, `bucket`, `scope_sector`, `scope_enterprise_id`, `level`, `state`;

CREATE TRIGGER `hazard_tallies_insert` AFTER INSERT ON `hazards`
BEGIN
  INSERT INTO `hazard_tallies` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || NEW.`level` || '|' || NEW.`state`,
    CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`level`, NEW.`state`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_tallies_update` AFTER UPDATE OF `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state` ON `hazards`
WHEN OLD.`tenant_id` IS NOT NEW.`tenant_id` OR OLD.`scope_path` IS NOT NEW.`scope_path` OR OLD.`scope_sector` IS NOT NEW.`scope_sector`
  OR OLD.`scope_enterprise_id` IS NOT NEW.`scope_enterprise_id` OR OLD.`level` IS NOT NEW.`level` OR OLD.`state` IS NOT NEW.`state`
BEGIN
  INSERT INTO `hazard_tallies` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || OLD.`level` || '|' || OLD.`state`,
    CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`level`, OLD.`state`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `hazard_tallies` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || NEW.`level` || '|' || NEW.`state`,
    CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`level`, NEW.`state`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_tallies_delete` AFTER DELETE ON `hazards`
BEGIN
  INSERT INTO `hazard_tallies` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || OLD.`level` || '|' || OLD.`state`,
    CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`level`, OLD.`state`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;
