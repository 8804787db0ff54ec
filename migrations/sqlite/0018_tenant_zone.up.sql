-- Planned by migrations/gen from ent/schema, then written as ADD COLUMN: the
-- planner rebuilds duty_rosters, and dropping it while duty_shifts references
-- it fails inside the migration's transaction.
ALTER TABLE `duty_rosters` ADD COLUMN `version` integer NOT NULL DEFAULT (1);
ALTER TABLE `material_reserves` ADD COLUMN `last_checked_on` datetime NULL;
-- create "tenant_settings" table
CREATE TABLE `tenant_settings` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `tenant_id` integer NOT NULL,
  `time_zone` text NOT NULL DEFAULT ('Asia/Shanghai')
);
-- set sequence for "tenant_settings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("tenant_settings", 193273528320);
-- create index "tenantsetting_tenant_id" to table: "tenant_settings"
CREATE UNIQUE INDEX `tenantsetting_tenant_id` ON `tenant_settings` (`tenant_id`);
