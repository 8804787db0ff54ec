-- atlas:delimiter \n\n

-- Hand-written: drops what 0025_dashboard_tallies.up.sql created.
DROP TRIGGER `enforcement_month_tallies_delete`;

DROP TRIGGER `enforcement_month_tallies_update`;

DROP TRIGGER `enforcement_month_tallies_insert`;

DROP TABLE `enforcement_month_tallies`;

DROP INDEX `enforcementaction_tenant_id_issued_on`;

DROP TRIGGER `inspection_month_tallies_delete`;

DROP TRIGGER `inspection_month_tallies_update`;

DROP TRIGGER `inspection_month_tallies_insert`;

DROP TABLE `inspection_month_tallies`;

DROP INDEX `inspection_tenant_id_inspected_on`;

DROP TRIGGER `hazard_month_tallies_delete`;

DROP TRIGGER `hazard_month_tallies_update`;

DROP TRIGGER `hazard_month_tallies_insert`;

DROP TABLE `hazard_month_tallies`;

DROP INDEX `hazard_tenant_id_found_at`;
