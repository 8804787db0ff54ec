-- atlas:delimiter \n\n

-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`. Statements are separated by blank lines (the
-- directive above), for the trigger bodies' sake.
--
-- Town rollups of the tallies of migrations 0022 and 0025: each
-- <tally>_rollups table holds the same counts as its fine tally table,
-- summed over the enterprises of a town. A rollup row's key is the fine
-- key with the bucket cut at the town (an enterprise-side bucket without
-- the enterprise's own id; a government unit's records keep their own
-- path) and the enterprise replaced by a marker: scope_enterprise_id is
-- NULL for a government unit's records, 0 for an enterprise's. Triggers on
-- the fine tally tables add every change of a fine row to its rollup row
-- inside the writing statement (the records' triggers fire them: SQLite
-- runs nested triggers). Rows that fall to 0 stay. See internal/tally and
-- docs/ARCHITECTURE.md.

CREATE TABLE `hazard_tally_rollups` (
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

CREATE INDEX `hazard_tally_rollups_tenant_id_scope_path` ON `hazard_tally_rollups` (`tenant_id`, `scope_path`);

INSERT INTO `hazard_tally_rollups` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
SELECT f.`tenant_id`, CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END || '|' || coalesce(f.`scope_sector`, '') || '|' || CASE WHEN f.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || f.`level` || '|' || f.`state`, CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END, f.`scope_sector`, CASE WHEN f.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, f.`level`, f.`state`, SUM(f.`n`)
FROM `hazard_tallies` AS f
GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE TRIGGER `hazard_tally_rollups_insert` AFTER INSERT ON `hazard_tallies`
BEGIN
  INSERT INTO `hazard_tally_rollups` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || NEW.`level` || '|' || NEW.`state`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`level`, NEW.`state`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_tally_rollups_update` AFTER UPDATE ON `hazard_tallies`
BEGIN
  INSERT INTO `hazard_tally_rollups` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || OLD.`level` || '|' || OLD.`state`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`level`, OLD.`state`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `hazard_tally_rollups` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || NEW.`level` || '|' || NEW.`state`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`level`, NEW.`state`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_tally_rollups_delete` AFTER DELETE ON `hazard_tallies`
BEGIN
  INSERT INTO `hazard_tally_rollups` (`tenant_id`, `tally_key`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || OLD.`level` || '|' || OLD.`state`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`level`, OLD.`state`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TABLE `hazard_month_tally_rollups` (
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

CREATE INDEX `hazard_month_tally_rollups_tenant_id_month_scope_path` ON `hazard_month_tally_rollups` (`tenant_id`, `month`, `scope_path`);

INSERT INTO `hazard_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
SELECT f.`tenant_id`, f.`month` || '|' || CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END || '|' || coalesce(f.`scope_sector`, '') || '|' || CASE WHEN f.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || f.`level` || '|' || f.`state`, f.`month`, CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END, f.`scope_sector`, CASE WHEN f.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, f.`level`, f.`state`, SUM(f.`n`)
FROM `hazard_month_tallies` AS f
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE TRIGGER `hazard_month_tally_rollups_insert` AFTER INSERT ON `hazard_month_tallies`
BEGIN
  INSERT INTO `hazard_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, NEW.`month` || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || NEW.`level` || '|' || NEW.`state`, NEW.`month`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`level`, NEW.`state`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_month_tally_rollups_update` AFTER UPDATE ON `hazard_month_tallies`
BEGIN
  INSERT INTO `hazard_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, OLD.`month` || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || OLD.`level` || '|' || OLD.`state`, OLD.`month`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`level`, OLD.`state`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `hazard_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (NEW.`tenant_id`, NEW.`month` || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || NEW.`level` || '|' || NEW.`state`, NEW.`month`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`level`, NEW.`state`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `hazard_month_tally_rollups_delete` AFTER DELETE ON `hazard_month_tallies`
BEGIN
  INSERT INTO `hazard_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `level`, `state`, `n`)
  VALUES (OLD.`tenant_id`, OLD.`month` || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || OLD.`level` || '|' || OLD.`state`, OLD.`month`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`level`, OLD.`state`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TABLE `inspection_month_tally_rollups` (
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

CREATE INDEX `inspection_month_tally_rollups_tenant_id_month_scope_path` ON `inspection_month_tally_rollups` (`tenant_id`, `month`, `scope_path`);

INSERT INTO `inspection_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
SELECT f.`tenant_id`, f.`month` || '|' || CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END || '|' || coalesce(f.`scope_sector`, '') || '|' || CASE WHEN f.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || f.`type` || '|' || f.`status`, f.`month`, CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END, f.`scope_sector`, CASE WHEN f.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, f.`type`, f.`status`, SUM(f.`n`)
FROM `inspection_month_tallies` AS f
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE TRIGGER `inspection_month_tally_rollups_insert` AFTER INSERT ON `inspection_month_tallies`
BEGIN
  INSERT INTO `inspection_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (NEW.`tenant_id`, NEW.`month` || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || NEW.`type` || '|' || NEW.`status`, NEW.`month`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`type`, NEW.`status`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `inspection_month_tally_rollups_update` AFTER UPDATE ON `inspection_month_tallies`
BEGIN
  INSERT INTO `inspection_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (OLD.`tenant_id`, OLD.`month` || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || OLD.`type` || '|' || OLD.`status`, OLD.`month`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`type`, OLD.`status`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `inspection_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (NEW.`tenant_id`, NEW.`month` || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || NEW.`type` || '|' || NEW.`status`, NEW.`month`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`type`, NEW.`status`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `inspection_month_tally_rollups_delete` AFTER DELETE ON `inspection_month_tallies`
BEGIN
  INSERT INTO `inspection_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `type`, `status`, `n`)
  VALUES (OLD.`tenant_id`, OLD.`month` || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || OLD.`type` || '|' || OLD.`status`, OLD.`month`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`type`, OLD.`status`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TABLE `enforcement_month_tally_rollups` (
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

CREATE INDEX `enforcement_month_tally_rollups_tenant_id_month_scope_path` ON `enforcement_month_tally_rollups` (`tenant_id`, `month`, `scope_path`);

INSERT INTO `enforcement_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
SELECT f.`tenant_id`, f.`month` || '|' || CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END || '|' || coalesce(f.`scope_sector`, '') || '|' || CASE WHEN f.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || coalesce(f.`issuer_scope_path`, '') || '|' || f.`issuer_only` || '|' || f.`kind` || '|' || f.`state`, f.`month`, CASE WHEN f.`scope_enterprise_id` IS NOT NULL AND substr(f.`scope_path`, -(length(f.`scope_enterprise_id`) + 2)) = '/' || f.`scope_enterprise_id` || '/' THEN substr(f.`scope_path`, 1, length(f.`scope_path`) - length(f.`scope_enterprise_id`) - 1) ELSE f.`scope_path` END, f.`scope_sector`, CASE WHEN f.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, f.`issuer_scope_path`, f.`issuer_only`, f.`kind`, f.`state`, SUM(f.`n`)
FROM `enforcement_month_tallies` AS f
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

CREATE TRIGGER `enforcement_month_tally_rollups_insert` AFTER INSERT ON `enforcement_month_tallies`
BEGIN
  INSERT INTO `enforcement_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (NEW.`tenant_id`, NEW.`month` || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || coalesce(NEW.`issuer_scope_path`, '') || '|' || NEW.`issuer_only` || '|' || NEW.`kind` || '|' || NEW.`state`, NEW.`month`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`issuer_scope_path`, NEW.`issuer_only`, NEW.`kind`, NEW.`state`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `enforcement_month_tally_rollups_update` AFTER UPDATE ON `enforcement_month_tallies`
BEGIN
  INSERT INTO `enforcement_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (OLD.`tenant_id`, OLD.`month` || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || coalesce(OLD.`issuer_scope_path`, '') || '|' || OLD.`issuer_only` || '|' || OLD.`kind` || '|' || OLD.`state`, OLD.`month`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`issuer_scope_path`, OLD.`issuer_only`, OLD.`kind`, OLD.`state`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
  INSERT INTO `enforcement_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (NEW.`tenant_id`, NEW.`month` || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END || '|' || coalesce(NEW.`scope_sector`, '') || '|' || CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || coalesce(NEW.`issuer_scope_path`, '') || '|' || NEW.`issuer_only` || '|' || NEW.`kind` || '|' || NEW.`state`, NEW.`month`, CASE WHEN NEW.`scope_enterprise_id` IS NOT NULL AND substr(NEW.`scope_path`, -(length(NEW.`scope_enterprise_id`) + 2)) = '/' || NEW.`scope_enterprise_id` || '/' THEN substr(NEW.`scope_path`, 1, length(NEW.`scope_path`) - length(NEW.`scope_enterprise_id`) - 1) ELSE NEW.`scope_path` END, NEW.`scope_sector`, CASE WHEN NEW.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, NEW.`issuer_scope_path`, NEW.`issuer_only`, NEW.`kind`, NEW.`state`, NEW.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;

CREATE TRIGGER `enforcement_month_tally_rollups_delete` AFTER DELETE ON `enforcement_month_tallies`
BEGIN
  INSERT INTO `enforcement_month_tally_rollups` (`tenant_id`, `tally_key`, `month`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `issuer_only`, `kind`, `state`, `n`)
  VALUES (OLD.`tenant_id`, OLD.`month` || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END || '|' || coalesce(OLD.`scope_sector`, '') || '|' || CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN '0' ELSE '1' END || '|' || coalesce(OLD.`issuer_scope_path`, '') || '|' || OLD.`issuer_only` || '|' || OLD.`kind` || '|' || OLD.`state`, OLD.`month`, CASE WHEN OLD.`scope_enterprise_id` IS NOT NULL AND substr(OLD.`scope_path`, -(length(OLD.`scope_enterprise_id`) + 2)) = '/' || OLD.`scope_enterprise_id` || '/' THEN substr(OLD.`scope_path`, 1, length(OLD.`scope_path`) - length(OLD.`scope_enterprise_id`) - 1) ELSE OLD.`scope_path` END, OLD.`scope_sector`, CASE WHEN OLD.`scope_enterprise_id` IS NULL THEN NULL ELSE 0 END, OLD.`issuer_scope_path`, OLD.`issuer_only`, OLD.`kind`, OLD.`state`, -OLD.`n`)
  ON CONFLICT (`tenant_id`, `tally_key`) DO UPDATE SET `n` = `n` + excluded.`n`;
END;
