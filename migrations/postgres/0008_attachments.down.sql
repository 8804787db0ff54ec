-- Written by hand: restores the owner columns of 0007 from "owner_id".
-- Files of other owners keep no owner there.
-- reverse: create index "file_tenant_id_owner_id" to table: "files"
DROP INDEX "file_tenant_id_owner_id";
-- reverse: modify "files" table
ALTER TABLE "files" ADD COLUMN "hazard_event_id" bigint NULL, ADD COLUMN "letter_id" bigint NULL;
UPDATE "files" SET "letter_id" = "owner_id" WHERE "owner_id" IN (SELECT "id" FROM "responsibility_letters");
UPDATE "files" SET "hazard_event_id" = "owner_id" WHERE "owner_id" IN (SELECT "id" FROM "hazard_events");
ALTER TABLE "files" DROP COLUMN "owner_id",
  ADD CONSTRAINT "files_responsibility_letters_files" FOREIGN KEY ("letter_id") REFERENCES "responsibility_letters" ("id") ON UPDATE NO ACTION ON DELETE SET NULL,
  ADD CONSTRAINT "files_hazard_events_files" FOREIGN KEY ("hazard_event_id") REFERENCES "hazard_events" ("id") ON UPDATE NO ACTION ON DELETE SET NULL;
CREATE INDEX "file_letter_id" ON "files" ("letter_id");
CREATE INDEX "file_hazard_event_id" ON "files" ("hazard_event_id");
