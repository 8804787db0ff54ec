-- Written by hand: reverses 0034_scope_of_parts_and_import_jobs.up.sql
-- (unit_path from scope_path; the sector key is dropped; follow-up checks get
-- their inspection's scope columns again).
-- reverse: create index "importjob_tenant_id_scope_path" to table: "import_jobs"
DROP INDEX "importjob_tenant_id_scope_path";
-- reverse: create index "importjob_scope_enterprise_id" to table: "import_jobs"
DROP INDEX "importjob_scope_enterprise_id";
-- reverse: modify "import_jobs" table
ALTER TABLE "import_jobs" ADD COLUMN "unit_path" character varying NULL;
UPDATE "import_jobs" SET "unit_path" = "scope_path";
ALTER TABLE "import_jobs" DROP COLUMN "scope_enterprise_id", DROP COLUMN "scope_sector", DROP COLUMN "scope_path", ALTER COLUMN "unit_path" SET NOT NULL;
CREATE INDEX "importjob_tenant_id_unit_path" ON "import_jobs" ("tenant_id", "unit_path");
UPDATE "follow_up_checks" AS f SET "scope_path" = i."scope_path", "scope_sector" = i."scope_sector", "scope_enterprise_id" = i."scope_enterprise_id"
  FROM "inspections" AS i WHERE i."id" = f."inspection_id";
