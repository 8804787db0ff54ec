-- Written by hand: reverses 0017_assignment.up.sql. Drops the assignment and
-- follow-up tables and rebuilds "hazards" as 0015 left it (without assignee_id
-- and follow_up_on), keeping every row and the id sequence. Foreign keys are
-- checked at commit.
PRAGMA foreign_keys = off;
PRAGMA defer_foreign_keys = on;
DROP INDEX `hazardassignment_hazard_id_assigned_at`;
DROP INDEX `hazardassignment_scope_enterprise_id`;
DROP INDEX `hazardassignment_tenant_id_scope_path`;
DROP TABLE `hazard_assignments`;
DELETE FROM sqlite_sequence WHERE name = 'hazard_assignments';
DROP INDEX `followupcheck_hazard_id`;
DROP INDEX `followupcheck_inspection_id_hazard_id`;
DROP INDEX `followupcheck_scope_enterprise_id`;
DROP INDEX `followupcheck_tenant_id_scope_path`;
DROP TABLE `follow_up_checks`;
DELETE FROM sqlite_sequence WHERE name = 'follow_up_checks';
DROP INDEX `hazard_tenant_id_follow_up_on`;
CREATE TABLE `new_hazards` (
  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `tenant_id` integer NOT NULL,
  `scope_path` text NOT NULL,
  `scope_sector` text NULL,
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
  `risk_point_id` integer NULL,
  `scope_enterprise_id` integer NULL,
  CONSTRAINT `hazards_units_subject` FOREIGN KEY (`subject_id`) REFERENCES `units` (`id`) ON DELETE NO ACTION,
  CONSTRAINT `hazards_inspections_inspection` FOREIGN KEY (`inspection_id`) REFERENCES `inspections` (`id`) ON DELETE SET NULL,
  CONSTRAINT `hazards_hazards_recurrences` FOREIGN KEY (`recurrence_of_id`) REFERENCES `hazards` (`id`) ON DELETE SET NULL,
  CONSTRAINT `hazards_risk_points_risk_point` FOREIGN KEY (`risk_point_id`) REFERENCES `risk_points` (`id`) ON DELETE SET NULL,
  CONSTRAINT `hazards_units_enterprise_hazards` FOREIGN KEY (`scope_enterprise_id`) REFERENCES `units` (`id`) ON DELETE SET NULL
);
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_hazards', seq FROM sqlite_sequence WHERE name = 'hazards';
INSERT INTO `new_hazards` (`id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `campaign_id`, `source`, `level`, `state`, `category`, `location`, `description`, `requirement`, `found_at`, `deadline`, `responsible_person`, `reported_by_id`, `supervised`, `plan`, `requested_deadline`, `closed_at`, `subject_id`, `inspection_id`, `recurrence_of_id`, `risk_point_id`, `scope_enterprise_id`) SELECT `id`, `created_at`, `updated_at`, `tenant_id`, `scope_path`, `scope_sector`, `campaign_id`, `source`, `level`, `state`, `category`, `location`, `description`, `requirement`, `found_at`, `deadline`, `responsible_person`, `reported_by_id`, `supervised`, `plan`, `requested_deadline`, `closed_at`, `subject_id`, `inspection_id`, `recurrence_of_id`, `risk_point_id`, `scope_enterprise_id` FROM `hazards`;
DROP TABLE `hazards`;
ALTER TABLE `new_hazards` RENAME TO `hazards`;
CREATE INDEX `hazard_tenant_id_scope_path` ON `hazards` (`tenant_id`, `scope_path`);
CREATE INDEX `hazard_scope_enterprise_id` ON `hazards` (`scope_enterprise_id`);
CREATE INDEX `hazard_tenant_id_state_scope_path` ON `hazards` (`tenant_id`, `state`, `scope_path`);
CREATE INDEX `hazard_tenant_id_scope_path_state_level` ON `hazards` (`tenant_id`, `scope_path`, `state`, `level`);
CREATE INDEX `hazard_scope_enterprise_id_state` ON `hazards` (`scope_enterprise_id`, `state`);
CREATE INDEX `hazard_deadline` ON `hazards` (`deadline`);
CREATE INDEX `hazard_campaign_id` ON `hazards` (`campaign_id`);
CREATE INDEX `hazard_inspection_id` ON `hazards` (`inspection_id`);
CREATE INDEX `hazard_risk_point_id_state` ON `hazards` (`risk_point_id`, `state`);
