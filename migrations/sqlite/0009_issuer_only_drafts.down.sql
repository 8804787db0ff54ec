-- reverse of the ADD COLUMNs
ALTER TABLE `responsibility_letters` DROP COLUMN `issuer_only`;
ALTER TABLE `letter_signatures` DROP COLUMN `issuer_only`;
ALTER TABLE `letter_events` DROP COLUMN `issuer_only`;
ALTER TABLE `files` DROP COLUMN `issuer_only`;
