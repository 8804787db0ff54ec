-- Written by hand: reverses 0034_scope_of_parts_and_import_jobs.up.sql.
-- Rebuilds "import_jobs" as 0026 left it (unit_path from scope_path; the
-- sector key is dropped), keeping every row and the id sequence, and gives
-- follow-up checks their inspection's scope columns again.
PRAGMA foreign_keys = off;
CREATE TABLE `old_import_jobs` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `tenant_id` integer NOT NULL,
  `created_by_user_id` integer NOT NULL,
  `created_by_name` text NOT NULL,
  `unit_id` integer NOT NULL,
  `unit_path` text NOT NULL,
  `file_name` text NOT NULL,
  `content` blob NULL,
  `dry_run` bool NOT NULL,
  `state` text NOT NULL DEFAULT ('QUEUED'),
  `rows_total` integer NOT NULL DEFAULT (0),
  `rows_done` integer NOT NULL DEFAULT (0),
  `enterprises` integer NOT NULL DEFAULT (0),
  `users` integer NOT NULL DEFAULT (0),
  `posts` integer NOT NULL DEFAULT (0),
  `problems` json NULL,
  `users_without_password` json NULL,
  `finished_at` datetime NULL,
  `dry_run_job_id` integer NULL,
  `confirmed_at` datetime NULL,
  `workbook_cleared_at` datetime NULL
);
INSERT INTO sqlite_sequence (name, seq) SELECT 'old_import_jobs', seq FROM sqlite_sequence WHERE name = 'import_jobs';
INSERT INTO `old_import_jobs` (`id`, `created_at`, `updated_at`, `tenant_id`, `created_by_user_id`, `created_by_name`, `unit_id`, `unit_path`, `file_name`, `content`, `dry_run`, `state`, `rows_total`, `rows_done`, `enterprises`, `users`, `posts`, `problems`, `users_without_password`, `finished_at`, `dry_run_job_id`, `confirmed_at`, `workbook_cleared_at`) SELECT `id`, `created_at`, `updated_at`, `tenant_id`, `created_by_user_id`, `created_by_name`, `unit_id`, `scope_path`, `file_name`, `content`, `dry_run`, `state`, `rows_total`, `rows_done`, `enterprises`, `users`, `posts`, `problems`, `users_without_password`, `finished_at`, `dry_run_job_id`, `confirmed_at`, `workbook_cleared_at` FROM `import_jobs`;
DROP TABLE `import_jobs`;
ALTER TABLE `old_import_jobs` RENAME TO `import_jobs`;
CREATE UNIQUE INDEX `importjob_dry_run_job_id` ON `import_jobs` (`dry_run_job_id`);
CREATE INDEX `importjob_tenant_id_unit_path` ON `import_jobs` (`tenant_id`, `unit_path`);
PRAGMA foreign_keys = on;
UPDATE `follow_up_checks` SET
  `scope_path` = (SELECT i.`scope_path` FROM `inspections` i WHERE i.`id` = `follow_up_checks`.`inspection_id`),
  `scope_sector` = (SELECT i.`scope_sector` FROM `inspections` i WHERE i.`id` = `follow_up_checks`.`inspection_id`),
  `scope_enterprise_id` = (SELECT i.`scope_enterprise_id` FROM `inspections` i WHERE i.`id` = `follow_up_checks`.`inspection_id`);
