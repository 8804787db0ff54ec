-- Hand-written: empties what 0033_hazard_deciders_backfill.up.sql filled (the
-- columns themselves go with 0032_hazard_deciders.down.sql).
UPDATE hazards SET assigner_id = NULL, supervisor_id = NULL, submitted_by_id = NULL, extension_requested_by_id = NULL;
