-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`.
--
-- hazard_tallies holds the number of hazards per key: tenant, scope bucket
-- (the subject enterprise's path for an enterprise-side hazard, the subject's
-- own path for a government unit's), sector, enterprise, level and state.
-- The trigger keeps it equal to COUNT(*) of hazards inside the writing
-- statement, whoever writes (services, imports, COPY of the synthetic
-- generator, hand-written SQL). Concurrent writers add deltas with one UPSERT
-- each (never read-modify-write), and a key change takes its two keys in key
-- order, so two transitions in opposite directions do not deadlock. Rows that
-- fall to 0 stay. See internal/tally and docs/ARCHITECTURE.md.
CREATE TABLE "hazard_tallies" (
  "tenant_id" bigint NOT NULL,
  "tally_key" character varying NOT NULL,
  "scope_path" character varying NOT NULL,
  "scope_sector" character varying NULL,
  "scope_enterprise_id" bigint NULL,
  "level" character varying NOT NULL,
  "state" character varying NOT NULL,
  "n" bigint NOT NULL,
  PRIMARY KEY ("tenant_id", "tally_key")
) WITH (fillfactor = 70); -- room on each page for HOT updates of n
CREATE INDEX "hazard_tallies_tenant_id_scope_path" ON "hazard_tallies" ("tenant_id", "scope_path" text_pattern_ops);
CREATE INDEX "hazard_tallies_scope_enterprise_id" ON "hazard_tallies" ("scope_enterprise_id");
-- hazard_tally_bucket is the path a hazard is tallied under: its enterprise's
-- path (the path up to and including the enterprise's id) or its own.
CREATE FUNCTION hazard_tally_bucket(path character varying, enterprise bigint) RETURNS character varying
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN enterprise IS NULL OR strpos(path, '/' || enterprise || '/') = 0 THEN path
              ELSE substr(path, 1, strpos(path, '/' || enterprise || '/') + length(enterprise::text) + 1) END
$$;
CREATE FUNCTION hazard_tally_key(path character varying, sector character varying, enterprise bigint, lvl character varying, st character varying)
RETURNS character varying LANGUAGE sql IMMUTABLE AS $$
  SELECT hazard_tally_bucket(path, enterprise) || '|' || coalesce(sector, '') || '|' || coalesce(enterprise, 0) || '|' || lvl || '|' || st
$$;
-- hazard_tally_add adds delta to the tally of one key.
CREATE FUNCTION hazard_tally_add(tenant bigint, path character varying, sector character varying, enterprise bigint,
  lvl character varying, st character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO hazard_tallies AS t (tenant_id, tally_key, scope_path, scope_sector, scope_enterprise_id, level, state, n)
  VALUES (tenant, hazard_tally_key(path, sector, enterprise, lvl, st), hazard_tally_bucket(path, enterprise), sector, enterprise, lvl, st, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION hazard_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hazard_tally_add(NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hazard_tally_add(OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -1);
  ELSIF (OLD.tenant_id, hazard_tally_key(OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state))
      < (NEW.tenant_id, hazard_tally_key(NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state)) THEN
    PERFORM hazard_tally_add(OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -1);
    PERFORM hazard_tally_add(NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, 1);
  ELSE
    PERFORM hazard_tally_add(NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, 1);
    PERFORM hazard_tally_add(OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -1);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_tallies_insert_delete AFTER INSERT OR DELETE ON hazards
  FOR EACH ROW EXECUTE FUNCTION hazard_tallies_count();
CREATE TRIGGER hazard_tallies_update AFTER UPDATE OF tenant_id, scope_path, scope_sector, scope_enterprise_id, level, state ON hazards
  FOR EACH ROW WHEN ((OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state)
    IS DISTINCT FROM (NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state))
  EXECUTE FUNCTION hazard_tallies_count();
CREATE FUNCTION hazard_tallies_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hazard_tallies;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_tallies_truncate BEFORE TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION hazard_tallies_truncate();
-- ALWAYS: the tallies are kept also when a bulk load sets session_replication_role
-- = replica to skip foreign-key checks (the synthetic generator does). A logical
-- replication subscriber must therefore not also receive hazard_tallies.
ALTER TABLE hazards ENABLE ALWAYS TRIGGER hazard_tallies_insert_delete;
ALTER TABLE hazards ENABLE ALWAYS TRIGGER hazard_tallies_update;
ALTER TABLE hazards ENABLE ALWAYS TRIGGER hazard_tallies_truncate;
INSERT INTO hazard_tallies (tenant_id, tally_key, scope_path, scope_sector, scope_enterprise_id, level, state, n)
SELECT tenant_id, hazard_tally_key(scope_path, scope_sector, scope_enterprise_id, level, state),
  hazard_tally_bucket(scope_path, scope_enterprise_id), scope_sector, scope_enterprise_id, level, state, COUNT(*)
FROM hazards
GROUP BY 1, 2, 3, 4, 5, 6, 7;
