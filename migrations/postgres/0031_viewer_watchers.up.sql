-- Hand-written: ent's schema cannot express triggers or NOTIFY. Listed in
-- atlas.sum by `make migrations-hash`.
--
-- Each bump of a viewer generation is also announced on the NOTIFY channel
-- dutychain_viewers ("g:<tenant>:<user>"), delivered to every listening server
-- replica when the writing transaction commits, in commit order. A replica
-- holding a lease in viewer_watchers (authz.ViewerWatch) serves its kept
-- viewers without reading their generations on each request; a server that
-- bumped a generation waits, before it answers, until every replica with an
-- unexpired lease has acknowledged a barrier ("b:<n>", n from
-- viewer_barriers) sent after its commit, or until that lease has expired.
CREATE OR REPLACE FUNCTION viewer_generation_bump(tenant bigint, usr bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO viewer_generations AS g (tenant_id, user_id, generation) VALUES (tenant, usr, 1)
  ON CONFLICT (tenant_id, user_id) DO UPDATE SET generation = g.generation + 1;
  PERFORM pg_notify('dutychain_viewers', 'g:' || tenant || ':' || usr);
END;
$$;
-- viewer_watchers: one row per server replica watching the channel. A writer
-- waits for the rows whose lease_until is still ahead of now() and whose
-- acked is below its barrier. Rows of replicas that stopped without giving
-- their lease up expire and are deleted by the other replicas after a day.
CREATE TABLE "viewer_watchers" (
  "id" text NOT NULL PRIMARY KEY,
  "lease_until" timestamptz NOT NULL,
  "acked" bigint NOT NULL DEFAULT 0
);
CREATE SEQUENCE "viewer_barriers";
