-- atlas:delimiter \n\n

-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`. Statements are separated by blank lines (the
-- directive above), for the trigger bodies' sake.
--
-- The dashboard's monthly tallies: hazard_month_tallies,
-- inspection_month_tallies and enforcement_month_tallies hold the number of
-- records per key: tenant, month (substr(date, 1, 7) of found_at,
-- inspected_on, issued_on: the month the dashboard groups by), scope bucket
-- (the subject enterprise's path for an enterprise-side record, the
-- subject's own path for a government unit's, as in hazard_tallies), sector,
-- enterprise, the issuer side of an enforcement action, and the record's two
-- dimensions (level and state, type and status, kind and state). The
-- triggers keep them equal to COUNT(*) of the records inside the writing
-- statement, whoever writes; rows that fall to 0 stay. The indexes on
-- (tenant_id, date) let the dashboard count the days of a month its period
-- cuts from the records. See internal/dashboard and docs/ARCHITECTURE.md. A
-- later migration that rebuilds one of the three tables (SQLite's ALTER by
-- copy drops its triggers) must create them again.

CREATE INDEX `hazard_tenant_id_found_at` ON `hazards` (`tenant_id`, `found_at`);

CREATE TABLE `hazard_month_tallies` (
  `tenant_id` integer NOT NULL,
  `tally_key` text NOT NULL,
  `month` text NOT NULL,
  `scope_path` text NOT NULL,
  `scope_sector` text NULL,
  `scope_enterprise_id` integer NULL,
  `level` text NOT NULL,
  `state` text NOT NULL,
  `n` integer NOT NULL,
  PRIMARY KEY (`tenant_id`, `tally_key`)
);

CREATE INDEX `hazard_month_tallies_tenant_id_month_scope_path` ON `hazard_month_tallies` (`tenant_id`, `month`, `scope_path`);

CREATE INDEX `hazard_month_tallies_tenant_id_scope_path_month` ON `hazard_month_tallies` (`tenant_id`, `scope_path`, `month`);

CREATE INDEX `hazard_month_tallies_scope_enterprise_id` ON `hazard_month_tallies` (`scope_enterprise_id`);

INSERT INTO `hazard_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
SELECT `tenant_id`, `tally_key`, `month`, `bucket`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, COUNT(*)
FROM (SELECT r.`tenant_id`, substr(r.`found_at`, 1, 7) || '|' || CASE WHEN r.`scope_enterprise_id` IS NULL OR instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') = 0 THEN r.`scope_path` ELSE substr(r.`scope_path`, 1, instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') + length(r.`scope_enterprise_id`) + 1) END || '|' || coalesce(r.`scope_sector`, '') || '|' || coalesce(r.`scope_enterprise_id`, 0) || '|' || r.`level` || '|' || r.`state` AS `tally_key`,
    substr(r.`found_at`, 1, 7) AS `month`, CASE WHEN r.`scope_enterprise_id` IS NULL OR instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') = 0 THEN r.`scope_path` ELSE substr(r.`scope_path`, 1, instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') + length(r.`scope_enterprise_id`) + 1) END AS `bucket`, r.`scope_sector`, r.`scope_enterprise_id`, r.`level`, r.`state`
  FROM `hazards` AS r) AS k
GROUP BY `tenant_id`, `tally_key`, `month`, `bucket`, `scope_sector`, `scope_enterprise_id`, `level`, `state`;

CREATE TRIGGER `hazard_month_tallies_insert` AFTER INSERT ON `hazards`
BEGIN
  INSERT INTO `hazard_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, substr(NEW.`found_at`, 1, 7) || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || NEW.`level` || '|' || NEW.`state`,
    substr(NEW.`found_at`, 1, 7), CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`level`, NEW.`state`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_month_tallies_update` AFTER UPDATE OF `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `found_at`, `level`, `state` ON `hazards`
WHEN OLD.`tenant_id` IS NOT NEW.`tenant_id`
  OR OLD.`scope_path` IS NOT NEW.`scope_path`
  OR OLD.`scope_sector` IS NOT NEW.`scope_sector`
  OR OLD.`scope_enterprise_id` IS NOT NEW.`scope_enterprise_id`
  OR OLD.`found_at` IS NOT NEW.`found_at`
  OR OLD.`level` IS NOT NEW.`level`
  OR OLD.`state` IS NOT NEW.`state`
BEGIN
  INSERT INTO `hazard_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, substr(OLD.`found_at`, 1, 7) || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || OLD.`level` || '|' || OLD.`state`,
    substr(OLD.`found_at`, 1, 7), CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`level`, OLD.`state`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `hazard_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, substr(NEW.`found_at`, 1, 7) || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || NEW.`level` || '|' || NEW.`state`,
    substr(NEW.`found_at`, 1, 7), CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`level`, NEW.`state`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_month_tallies_delete` AFTER DELETE ON `hazards`
BEGIN
  INSERT INTO `hazard_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, substr(OLD.`found_at`, 1, 7) || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || OLD.`level` || '|' || OLD.`state`,
    substr(OLD.`found_at`, 1, 7), CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`level`, OLD.`state`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE INDEX `inspection_tenant_id_inspected_on` ON `inspections` (`tenant_id`, `inspected_on`);

CREATE TABLE `inspection_month_tallies` (
  `tenant_id` integer NOT NULL,
  `tally_key` text NOT NULL,
  `month` text NOT NULL,
  `scope_path` text NOT NULL,
  `scope_sector` text NULL,
  `scope_enterprise_id` integer NULL,
  `type` text NOT NULL,
  `status` text NOT NULL,
  `n` integer NOT NULL,
  PRIMARY KEY (`tenant_id`, `tally_key`)
);

CREATE INDEX `inspection_month_tallies_tenant_id_month_scope_path` ON `inspection_month_tallies` (`tenant_id`, `month`, `scope_path`);

CREATE INDEX `inspection_month_tallies_tenant_id_scope_path_month` ON `inspection_month_tallies` (`tenant_id`, `scope_path`, `month`);

CREATE INDEX `inspection_month_tallies_scope_enterprise_id` ON `inspection_month_tallies` (`scope_enterprise_id`);

INSERT INTO `inspection_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
SELECT `tenant_id`, `tally_key`, `month`, `bucket`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, COUNT(*)
FROM (SELECT r.`tenant_id`, substr(r.`inspected_on`, 1, 7) || '|' || CASE WHEN r.`scope_enterprise_id` IS NULL OR instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') = 0 THEN r.`scope_path` ELSE substr(r.`scope_path`, 1, instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') + length(r.`scope_enterprise_id`) + 1) END || '|' || coalesce(r.`scope_sector`, '') || '|' || coalesce(r.`scope_enterprise_id`, 0) || '|' || r.`type` || '|' || r.`status` AS `tally_key`,
    substr(r.`inspected_on`, 1, 7) AS `month`, CASE WHEN r.`scope_enterprise_id` IS NULL OR instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') = 0 THEN r.`scope_path` ELSE substr(r.`scope_path`, 1, instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') + length(r.`scope_enterprise_id`) + 1) END AS `bucket`, r.`scope_sector`, r.`scope_enterprise_id`, r.`type`, r.`status`
  FROM `inspections` AS r) AS k
GROUP BY `tenant_id`, `tally_key`, `month`, `bucket`, `scope_sector`, `scope_enterprise_id`, `type`, `status`;

CREATE TRIGGER `inspection_month_tallies_insert` AFTER INSERT ON `inspections`
BEGIN
  INSERT INTO `inspection_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (NEW.`tenant_id`, substr(NEW.`inspected_on`, 1, 7) || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || NEW.`type` || '|' || NEW.`status`,
    substr(NEW.`inspected_on`, 1, 7), CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`type`, NEW.`status`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `inspection_month_tallies_update` AFTER UPDATE OF `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `inspected_on`, `type`, `status` ON `inspections`
WHEN OLD.`tenant_id` IS NOT NEW.`tenant_id`
  OR OLD.`scope_path` IS NOT NEW.`scope_path`
  OR OLD.`scope_sector` IS NOT NEW.`scope_sector`
  OR OLD.`scope_enterprise_id` IS NOT NEW.`scope_enterprise_id`
  OR OLD.`inspected_on` IS NOT NEW.`inspected_on`
  OR OLD.`type` IS NOT NEW.`type`
  OR OLD.`status` IS NOT NEW.`status`
BEGIN
  INSERT INTO `inspection_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (OLD.`tenant_id`, substr(OLD.`inspected_on`, 1, 7) || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || OLD.`type` || '|' || OLD.`status`,
    substr(OLD.`inspected_on`, 1, 7), CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`type`, OLD.`status`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `inspection_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (NEW.`tenant_id`, substr(NEW.`inspected_on`, 1, 7) || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || NEW.`type` || '|' || NEW.`status`,
    substr(NEW.`inspected_on`, 1, 7), CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`type`, NEW.`status`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `inspection_month_tallies_delete` AFTER DELETE ON `inspections`
BEGIN
  INSERT INTO `inspection_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (OLD.`tenant_id`, substr(OLD.`inspected_on`, 1, 7) || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || OLD.`type` || '|' || OLD.`status`,
    substr(OLD.`inspected_on`, 1, 7), CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`type`, OLD.`status`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE INDEX `enforcementaction_tenant_id_issued_on` ON `enforcement_actions` (`tenant_id`, `issued_on`);

CREATE TABLE `enforcement_month_tallies` (
  `tenant_id` integer NOT NULL,
  `tally_key` text NOT NULL,
  `month` text NOT NULL,
  `scope_path` text NOT NULL,
  `scope_sector` text NULL,
  `scope_enterprise_id` integer NULL,
  `issuer_scope_path` text NULL,
  `issuer_only` bool NOT NULL,
  `kind` text NOT NULL,
  `state` text NOT NULL,
  `n` integer NOT NULL,
  PRIMARY KEY (`tenant_id`, `tally_key`)
);

CREATE INDEX `enforcement_month_tallies_tenant_id_month_scope_path` ON `enforcement_month_tallies` (`tenant_id`, `month`, `scope_path`);

CREATE INDEX `enforcement_month_tallies_tenant_id_scope_path_month` ON `enforcement_month_tallies` (`tenant_id`, `scope_path`, `month`);

CREATE INDEX `enforcement_month_tallies_scope_enterprise_id` ON `enforcement_month_tallies` (`scope_enterprise_id`);

INSERT INTO `enforcement_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
SELECT `tenant_id`, `tally_key`, `month`, `bucket`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, COUNT(*)
FROM (SELECT r.`tenant_id`, substr(r.`issued_on`, 1, 7) || '|' || CASE WHEN r.`scope_enterprise_id` IS NULL OR instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') = 0 THEN r.`scope_path` ELSE substr(r.`scope_path`, 1, instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') + length(r.`scope_enterprise_id`) + 1) END || '|' || coalesce(r.`scope_sector`, '') || '|' || coalesce(r.`scope_enterprise_id`, 0) || '|' || coalesce(r.`issuer_scope_path`, '') || '|' || r.`issuer_only` || '|' || r.`kind` || '|' || r.`state` AS `tally_key`,
    substr(r.`issued_on`, 1, 7) AS `month`, CASE WHEN r.`scope_enterprise_id` IS NULL OR instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') = 0 THEN r.`scope_path` ELSE substr(r.`scope_path`, 1, instr(r.`scope_path`, '/' || r.`scope_enterprise_id` || '/') + length(r.`scope_enterprise_id`) + 1) END AS `bucket`, r.`scope_sector`, r.`scope_enterprise_id`, r.`issuer_scope_path`, r.`issuer_only`, r.`kind`, r.`state`
  FROM `enforcement_actions` AS r) AS k
GROUP BY `tenant_id`, `tally_key`, `month`, `bucket`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`;

CREATE TRIGGER `enforcement_month_tallies_insert` AFTER INSERT ON `enforcement_actions`
BEGIN
  INSERT INTO `enforcement_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (NEW.`tenant_id`, substr(NEW.`issued_on`, 1, 7) || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || coalesce(NEW.`issuer_scope_path`, '') || '|' || NEW.`issuer_only` || '|' || NEW.`kind` || '|' || NEW.`state`,
    substr(NEW.`issued_on`, 1, 7), CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`issuer_scope_path`, NEW.`issuer_only`, NEW.`kind`, NEW.`state`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `enforcement_month_tallies_update` AFTER UPDATE OF `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `issued_on`, `kind`, `state` ON `enforcement_actions`
WHEN OLD.`tenant_id` IS NOT NEW.`tenant_id`
  OR OLD.`scope_path` IS NOT NEW.`scope_path`
  OR OLD.`scope_sector` IS NOT NEW.`scope_sector`
  OR OLD.`scope_enterprise_id` IS NOT NEW.`scope_enterprise_id`
  OR OLD.`issuer_scope_path` IS NOT NEW.`issuer_scope_path`
  OR OLD.`issuer_only` IS NOT NEW.`issuer_only`
  OR OLD.`issued_on` IS NOT NEW.`issued_on`
  OR OLD.`kind` IS NOT NEW.`kind`
  OR OLD.`state` IS NOT NEW.`state`
BEGIN
  INSERT INTO `enforcement_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (OLD.`tenant_id`, substr(OLD.`issued_on`, 1, 7) || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || coalesce(OLD.`issuer_scope_path`, '') || '|' || OLD.`issuer_only` || '|' || OLD.`kind` || '|' || OLD.`state`,
    substr(OLD.`issued_on`, 1, 7), CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`issuer_scope_path`, OLD.`issuer_only`, OLD.`kind`, OLD.`state`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `enforcement_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (NEW.`tenant_id`, substr(NEW.`issued_on`, 1, 7) || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || coalesce(NEW.`scope_enterprise_id`, 0) || '|' || coalesce(NEW.`issuer_scope_path`, '') || '|' || NEW.`issuer_only` || '|' || NEW.`kind` || '|' || NEW.`state`,
    substr(NEW.`issued_on`, 1, 7), CASE WHEN NEW.`scope_enterprise_id` IS NULL OR instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') = 0 THEN NEW.`scope_path` ELSE substr(NEW.`scope_path`, 1, instr(NEW.`scope_path`, '/' || NEW.`scope_enterprise_id` || '/') + length(NEW.`scope_enterprise_id`) + 1) END, NEW.`scope_sector`, NEW.`scope_enterprise_id`, NEW.`issuer_scope_path`, NEW.`issuer_only`, NEW.`kind`, NEW.`state`, 1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `enforcement_month_tallies_delete` AFTER DELETE ON `enforcement_actions`
BEGIN
  INSERT INTO `enforcement_month_tallies` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (OLD.`tenant_id`, substr(OLD.`issued_on`, 1, 7) || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || coalesce(OLD.`scope_enterprise_id`, 0) || '|' || coalesce(OLD.`issuer_scope_path`, '') || '|' || OLD.`issuer_only` || '|' || OLD.`kind` || '|' || OLD.`state`,
    substr(OLD.`issued_on`, 1, 7), CASE WHEN OLD.`scope_enterprise_id` IS NULL OR instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') = 0 THEN OLD.`scope_path` ELSE substr(OLD.`scope_path`, 1, instr(OLD.`scope_path`, '/' || OLD.`scope_enterprise_id` || '/') + length(OLD.`scope_enterprise_id`) + 1) END, OLD.`scope_sector`, OLD.`scope_enterprise_id`, OLD.`issuer_scope_path`, OLD.`issuer_only`, OLD.`kind`, OLD.`state`, -1)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;
