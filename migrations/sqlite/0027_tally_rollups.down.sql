-- Hand-written: drops what 0027_tally_rollups.up.sql created.
DROP TRIGGER `enforcement_month_tally_rollups_delete`;
DROP TRIGGER `enforcement_month_tally_rollups_update`;
DROP TRIGGER `enforcement_month_tally_rollups_insert`;
DROP TABLE `enforcement_month_tally_rollups`;
DROP TRIGGER `inspection_month_tally_rollups_delete`;
DROP TRIGGER `inspection_month_tally_rollups_update`;
DROP TRIGGER `inspection_month_tally_rollups_insert`;
DROP TABLE `inspection_month_tally_rollups`;
DROP TRIGGER `hazard_month_tally_rollups_delete`;
DROP TRIGGER `hazard_month_tally_rollups_update`;
DROP TRIGGER `hazard_month_tally_rollups_insert`;
DROP TABLE `hazard_month_tally_rollups`;
DROP TRIGGER `hazard_tally_rollups_delete`;
DROP TRIGGER `hazard_tally_rollups_update`;
DROP TRIGGER `hazard_tally_rollups_insert`;
DROP TABLE `hazard_tally_rollups`;
