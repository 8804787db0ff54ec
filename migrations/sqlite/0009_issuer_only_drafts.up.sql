-- Planned by migrations/gen from ent/schema, then written as ADD COLUMN: the
-- planner rebuilds the four tables, and dropping responsibility_letters while
-- letter_events and letter_signatures reference it fails inside the
-- migration's transaction (PRAGMA foreign_keys is a no-op there).
ALTER TABLE `files` ADD COLUMN `issuer_only` bool NOT NULL DEFAULT (false);
ALTER TABLE `letter_events` ADD COLUMN `issuer_only` bool NOT NULL DEFAULT (false);
ALTER TABLE `letter_signatures` ADD COLUMN `issuer_only` bool NOT NULL DEFAULT (false);
ALTER TABLE `responsibility_letters` ADD COLUMN `issuer_only` bool NOT NULL DEFAULT (false);
-- data: letters still DRAFT, their events and attachments are read by the issuer side only
UPDATE responsibility_letters SET issuer_only = true WHERE state = 'DRAFT';
UPDATE letter_events SET issuer_only = true WHERE letter_id IN (SELECT id FROM responsibility_letters WHERE state = 'DRAFT');
UPDATE files SET issuer_only = true WHERE owner_id IN (SELECT id FROM responsibility_letters WHERE state = 'DRAFT');
