-- Written by hand: reverses 0007_hazard_scope_indexes.up.sql. That migration
-- rebuilt "hazards" (scope_enterprise_id gained its foreign key, the indexes
-- changed); this one rebuilds it as 0004 created it, keeping every row and
-- the id sequence. Foreign keys are checked at commit, once "hazards" exists again.
PRAGMA foreign_keys = off;
PRAGMA defer_foreign_keys = on;
CREATE TABLE `new_hazards` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `tenant_id` integer NOT NULL,
  `scope_path` text NOT NULL,
  `scope_sector` text NULL,
  `scope_enterprise_id` integer NULL,
  `campaign_id` integer NULL,
  `source` text NOT NULL,
  `level` text NOT NULL,
  `state` text NOT NULL DEFAULT ('REPORTED'),
  `category` text NOT NULL,
  `location` text NULL,
  `description` text NOT NULL,
  `requirement` text NULL,
  `found_at` datetime NOT NULL,
  `deadline` datetime NOT NULL,
  `responsible_person` text NULL,
  `reported_by_id` integer NOT NULL,
  `supervised` bool NOT NULL DEFAULT (false),
  `plan` json NULL,
  `requested_deadline` datetime NULL,
  `closed_at` datetime NULL,
  `subject_id` integer NOT NULL,
  `inspection_id` integer NULL,
  `recurrence_of_id` integer NULL,
  CONSTRAINT `hazards_units_subject` FOREIGN KEY (`subject_id`) REFERENCES `units` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `hazards_inspections_inspection` FOREIGN KEY (`inspection_id`) REFERENCES `inspections` (`id`) ON DELETE SET NULL,
  CONSTRAINT `hazards_hazards_recurrences` FOREIGN KEY (`recurrence_of_id`) REFERENCES `hazards` (`id`) ON DELETE SET NULL
);
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_hazards', seq FROM sqlite_sequence WHERE name = 'hazards';
INSERT INTO `new_hazards` (`id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `campaign_id`, `source`, `level`, `state`, `category`, `location`, `description`, `requirement`, `found_at`, `deadline`, `responsible_person`, `reported_by_id`, `supervised`, `plan`, `requested_deadline`, `closed_at`, `subject_id`, `inspection_id`, `recurrence_of_id`) SELECT `id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `scope_enterprise_id`, `campaign_id`, `source`, `level`, `state`, `category`, `location`, `description`, `requirement`, `found_at`, `deadline`, `responsible_person`, `reported_by_id`, `supervised`, `plan`, `requested_deadline`, `closed_at`, `subject_id`, `inspection_id`, `recurrence_of_id` FROM `hazards`;
DROP TABLE `hazards`;
ALTER TABLE `new_hazards` RENAME TO `hazards`;
CREATE INDEX `hazard_tenant_id_scope_path` ON `hazards` (`tenant_id`, `scope_path`);
CREATE INDEX `hazard_scope_enterprise_id` ON `hazards` (`scope_enterprise_id`);
CREATE INDEX `hazard_tenant_id_state_level` ON `hazards` (`tenant_id`, `state`, `level`);
CREATE INDEX `hazard_deadline` ON `hazards` (`deadline`);
CREATE INDEX `hazard_campaign_id` ON `hazards` (`campaign_id`);
CREATE INDEX `hazard_inspection_id` ON `hazards` (`inspection_id`);
PRAGMA foreign_keys = on;
