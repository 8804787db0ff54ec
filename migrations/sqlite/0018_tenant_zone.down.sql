-- Written by hand: reverses 0018_tenant_zone.up.sql.
DROP INDEX `tenantsetting_tenant_id`;
DELETE FROM sqlite_sequence WHERE name = "tenant_settings";
DROP TABLE `tenant_settings`;
ALTER TABLE `material_reserves` DROP COLUMN `last_checked_on`;
ALTER TABLE `duty_rosters` DROP COLUMN `version`;
