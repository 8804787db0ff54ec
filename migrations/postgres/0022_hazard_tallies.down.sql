-- Hand-written: drops what 0022_hazard_tallies.up.sql created.
DROP TRIGGER hazard_tallies_truncate ON hazards;
DROP TRIGGER hazard_tallies_update ON hazards;
DROP TRIGGER hazard_tallies_insert_delete ON hazards;
DROP FUNCTION hazard_tallies_truncate();
DROP FUNCTION hazard_tallies_count();
DROP FUNCTION hazard_tally_add(bigint, character varying, character varying, bigint, character varying, character varying, bigint);
DROP FUNCTION hazard_tally_key(character varying, character varying, bigint, character varying, character varying);
DROP FUNCTION hazard_tally_bucket(character varying, bigint);
DROP TABLE hazard_tallies;
