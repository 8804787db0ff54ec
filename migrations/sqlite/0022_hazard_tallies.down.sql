-- Hand-written: drops what 0022_hazard_tallies.up.sql created.
DROP TRIGGER `hazard_tallies_delete`;
DROP TRIGGER `hazard_tallies_update`;
DROP TRIGGER `hazard_tallies_insert`;
DROP TABLE `hazard_tallies`;
