-- Written by hand: restores the "files" table of 0007, its owner columns
-- from "owner_id". Files of other owners keep no owner there.
PRAGMA foreign_keys = off;
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
  `hazard_event_id` integer NULL,
  `letter_id` integer NULL,
  CONSTRAINT `files_hazard_events_files` FOREIGN KEY (`hazard_event_id`) REFERENCES `hazard_events` (`id`) ON DELETE SET NULL,
  CONSTRAINT `files_responsibility_letters_files` FOREIGN KEY (`letter_id`) REFERENCES `responsibility_letters` (`id`) ON DELETE SET NULL
);
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_files", 77309411328);
INSERT INTO `new_files` (`id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `sha256`, `size`, `content_type`, `filename`, `description`, `uploader_name`, `uploaded_by_user_id`, `uploaded_by_post_id`, `hazard_event_id`, `letter_id`) SELECT `id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `issuer_scope_path`, `sha256`, `size`, `content_type`, `filename`, `description`, `uploader_name`, `uploaded_by_user_id`, `uploaded_by_post_id`,
  CASE WHEN `owner_id` IN (SELECT `id` FROM `hazard_events`) THEN `owner_id` END,
  CASE WHEN `owner_id` IN (SELECT `id` FROM `responsibility_letters`) THEN `owner_id` END FROM `files`;
DROP TABLE `files`;
ALTER TABLE `new_files` RENAME TO `files`;
CREATE INDEX `file_tenant_id_scope_path` ON `files` (`tenant_id`, `scope_path`);
CREATE INDEX `file_scope_enterprise_id` ON `files` (`scope_enterprise_id`);
CREATE INDEX `file_tenant_id_issuer_scope_path` ON `files` (`tenant_id`, `issuer_scope_path`);
CREATE INDEX `file_letter_id` ON `files` (`letter_id`);
CREATE INDEX `file_hazard_event_id` ON `files` (`hazard_event_id`);
CREATE INDEX `file_sha256` ON `files` (`sha256`);
PRAGMA foreign_keys = on;
