-- Written by hand: reverses 0006_hazard_event_files.up.sql. That migration
-- rebuilt "files" with a hazard_event_id column; this one rebuilds it as 0005
-- created it, keeping every row and the id sequence. The files of hazard
-- events lose their owner (the column is gone). Foreign keys are checked at
-- commit, once "files" exists again.
PRAGMA foreign_keys = off;
PRAGMA defer_foreign_keys = on;
CREATE TABLE `new_files` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `tenant_id` integer NOT NULL,
  `scope_path` text NOT NULL,
  `scope_sector` text NULL,
  `scope_enterprise_id` integer NULL,
  `issuer_scope_path` text NULL,
  `sha256` text NOT NULL,
  `size` integer NOT NULL,
  `content_type` text NOT NULL,
  `filename` text NOT NULL,
  `description` text NULL,
  `uploader_name` text NOT NULL,
  `uploaded_by_user_id` integer NULL,
  `uploaded_by_post_id` integer NULL,
  `letter_id` integer NULL,
  CONSTRAINT `files_responsibility_letters_files` FOREIGN KEY (`letter_id`) REFERENCES `responsibility_letters` (`id`) ON DELETE SET NULL
);
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_files', seq FROM sqlite_sequence WHERE name = 'files';
INSERT INTO `new_files` (`id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `sha256`, `size`, `content_type`, `filename`, `description`, `uploader_name`, `uploaded_by_user_id`, `uploaded_by_post_id`, `letter_id`) SELECT `id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `sha256`, `size`, `content_type`, `filename`, `description`, `uploader_name`, `uploaded_by_user_id`, `uploaded_by_post_id`, `letter_id` FROM `files`;
DROP TABLE `files`;
ALTER TABLE `new_files` RENAME TO `files`;
CREATE INDEX `file_tenant_id_scope_path` ON `files` (`tenant_id`, `scope_path`);
CREATE INDEX `file_scope_enterprise_id` ON `files` (`scope_enterprise_id`);
CREATE INDEX `file_tenant_id_issuer_scope_path` ON `files` (`tenant_id`, `issuer_scope_path`);
CREATE INDEX `file_letter_id` ON `files` (`letter_id`);
CREATE INDEX `file_sha256` ON `files` (`sha256`);
PRAGMA foreign_keys = on;
