-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`.
--
-- Town rollups of the tallies of migrations 0022 and 0025: each
-- <tally>_rollups table holds the same counts as its fine tally table,
-- summed over the enterprises of a town. A rollup row's key is the fine
-- key with the bucket cut at the town (the fine bucket of an
-- enterprise-side record, the path up to and including its enterprise,
-- without the enterprise's own id: the path of the town the enterprise
-- hangs under; a government unit's records keep their own path) and the
-- enterprise replaced by a marker: scope_enterprise_id is NULL for a
-- government unit's records, 0 for an enterprise's. The columns keep the
-- record tables' scope column names, so the viewer's compiled read
-- predicate applies unchanged; internal/tally.RolledUp says for which
-- viewers it selects exactly the same records (grants at a city, county or
-- town, with or without sectors, and DirectoryOnly grants).
--
-- A trigger on each fine tally table propagates every change of a fine
-- row (the UPSERT of the records' triggers: an INSERT of a new key or an
-- UPDATE of n; a DELETE) to its rollup row inside the writing statement,
-- with one UPSERT adding the delta (never read-modify-write). The fine
-- triggers take a transition's two keys in key order; for a transition
-- that keeps the subject (level or state changes) the rollup keys are in
-- the same order, so two such transitions in opposite directions do not
-- deadlock either. Rows that fall to 0 stay. See internal/tally and
-- docs/ARCHITECTURE.md.
--
-- tally_rollup_bucket cuts a fine bucket at the town: without the
-- enterprise's id when the bucket ends with it.
CREATE FUNCTION tally_rollup_bucket(bucket character varying, enterprise bigint) RETURNS character varying
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN enterprise IS NOT NULL AND right(bucket, length(enterprise::text) + 2) = '/' || enterprise || '/'
              THEN left(bucket, length(bucket) - length(enterprise::text) - 1) ELSE bucket END
$$;
CREATE TABLE "hazard_tally_rollups" (
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
CREATE INDEX "hazard_tally_rollups_tenant_id_scope_path" ON "hazard_tally_rollups" ("tenant_id", "scope_path" text_pattern_ops);
CREATE FUNCTION hazard_tally_rollups_key(bucket character varying, sector character varying, enterprise bigint, x character varying, y character varying) RETURNS character varying LANGUAGE sql IMMUTABLE AS $$
  SELECT tally_rollup_bucket(bucket, enterprise) || '|' || coalesce(sector, '') || '|' || CASE WHEN enterprise IS NULL THEN '0' ELSE '1' END || '|' || x || '|' || y
$$;
-- hazard_tally_rollups_add adds delta to the rollup of the fine key's town.
CREATE FUNCTION hazard_tally_rollups_add(tenant bigint, bucket character varying, sector character varying, enterprise bigint, x character varying, y character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO hazard_tally_rollups AS t (tenant_id, tally_key, scope_path, scope_sector, scope_enterprise_id, level, state, n)
  VALUES (tenant, hazard_tally_rollups_key(bucket, sector, enterprise, x, y), tally_rollup_bucket(bucket, enterprise), sector, CASE WHEN enterprise IS NULL THEN NULL ELSE 0 END, x, y, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION hazard_tally_rollups_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hazard_tally_rollups_add(NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hazard_tally_rollups_add(OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -OLD.n);
  ELSIF (OLD.tenant_id, hazard_tally_rollups_key(OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state)) = (NEW.tenant_id, hazard_tally_rollups_key(NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state)) THEN
    IF NEW.n <> OLD.n THEN
      PERFORM hazard_tally_rollups_add(NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n - OLD.n);
    END IF;
  ELSIF (OLD.tenant_id, hazard_tally_rollups_key(OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state)) < (NEW.tenant_id, hazard_tally_rollups_key(NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state)) THEN
    PERFORM hazard_tally_rollups_add(OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -OLD.n);
    PERFORM hazard_tally_rollups_add(NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n);
  ELSE
    PERFORM hazard_tally_rollups_add(NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n);
    PERFORM hazard_tally_rollups_add(OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -OLD.n);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_tally_rollups_insert_delete AFTER INSERT OR DELETE ON hazard_tallies
  FOR EACH ROW EXECUTE FUNCTION hazard_tally_rollups_count();
CREATE TRIGGER hazard_tally_rollups_update AFTER UPDATE ON hazard_tallies
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION hazard_tally_rollups_count();
CREATE FUNCTION hazard_tally_rollups_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hazard_tally_rollups;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_tally_rollups_truncate BEFORE TRUNCATE ON hazard_tallies
  FOR EACH STATEMENT EXECUTE FUNCTION hazard_tally_rollups_truncate();
-- ALWAYS, as for the fine tallies: kept also under session_replication_role = replica.
ALTER TABLE hazard_tallies ENABLE ALWAYS TRIGGER hazard_tally_rollups_insert_delete;
ALTER TABLE hazard_tallies ENABLE ALWAYS TRIGGER hazard_tally_rollups_update;
ALTER TABLE hazard_tallies ENABLE ALWAYS TRIGGER hazard_tally_rollups_truncate;
INSERT INTO hazard_tally_rollups (tenant_id, tally_key, scope_path, scope_sector, scope_enterprise_id, level, state, n)
SELECT tenant_id, hazard_tally_rollups_key(scope_path, scope_sector, scope_enterprise_id, level, state), tally_rollup_bucket(scope_path, scope_enterprise_id), scope_sector, CASE WHEN scope_enterprise_id IS NULL THEN NULL ELSE 0 END, level, state, SUM(n)
FROM hazard_tallies
GROUP BY 1, 2, 3, 4, 5, 6, 7;
CREATE TABLE "hazard_month_tally_rollups" (
  "tenant_id" bigint NOT NULL,
  "tally_key" character varying NOT NULL,
  "month" character varying NOT NULL,
  "scope_path" character varying NOT NULL,
  "scope_sector" character varying NULL,
  "scope_enterprise_id" bigint NULL,
  "level" character varying NOT NULL,
  "state" character varying NOT NULL,
  "n" bigint NOT NULL,
  PRIMARY KEY ("tenant_id", "tally_key")
) WITH (fillfactor = 70); -- room on each page for HOT updates of n
CREATE INDEX "hazard_month_tally_rollups_tenant_id_month_scope_path" ON "hazard_month_tally_rollups" ("tenant_id", "month", "scope_path" text_pattern_ops);
CREATE FUNCTION hazard_month_tally_rollups_key(mon character varying, bucket character varying, sector character varying, enterprise bigint, x character varying, y character varying) RETURNS character varying LANGUAGE sql IMMUTABLE AS $$
  SELECT mon || '|' || tally_rollup_bucket(bucket, enterprise) || '|' || coalesce(sector, '') || '|' || CASE WHEN enterprise IS NULL THEN '0' ELSE '1' END || '|' || x || '|' || y
$$;
-- hazard_month_tally_rollups_add adds delta to the rollup of the fine key's town.
CREATE FUNCTION hazard_month_tally_rollups_add(tenant bigint, mon character varying, bucket character varying, sector character varying, enterprise bigint, x character varying, y character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO hazard_month_tally_rollups AS t (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, level, state, n)
  VALUES (tenant, hazard_month_tally_rollups_key(mon, bucket, sector, enterprise, x, y), mon, tally_rollup_bucket(bucket, enterprise), sector, CASE WHEN enterprise IS NULL THEN NULL ELSE 0 END, x, y, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION hazard_month_tally_rollups_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hazard_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hazard_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -OLD.n);
  ELSIF (OLD.tenant_id, hazard_month_tally_rollups_key(OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state)) = (NEW.tenant_id, hazard_month_tally_rollups_key(NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state)) THEN
    IF NEW.n <> OLD.n THEN
      PERFORM hazard_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n - OLD.n);
    END IF;
  ELSIF (OLD.tenant_id, hazard_month_tally_rollups_key(OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state)) < (NEW.tenant_id, hazard_month_tally_rollups_key(NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state)) THEN
    PERFORM hazard_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -OLD.n);
    PERFORM hazard_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n);
  ELSE
    PERFORM hazard_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level, NEW.state, NEW.n);
    PERFORM hazard_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level, OLD.state, -OLD.n);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_month_tally_rollups_insert_delete AFTER INSERT OR DELETE ON hazard_month_tallies
  FOR EACH ROW EXECUTE FUNCTION hazard_month_tally_rollups_count();
CREATE TRIGGER hazard_month_tally_rollups_update AFTER UPDATE ON hazard_month_tallies
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION hazard_month_tally_rollups_count();
CREATE FUNCTION hazard_month_tally_rollups_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hazard_month_tally_rollups;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_month_tally_rollups_truncate BEFORE TRUNCATE ON hazard_month_tallies
  FOR EACH STATEMENT EXECUTE FUNCTION hazard_month_tally_rollups_truncate();
-- ALWAYS, as for the fine tallies: kept also under session_replication_role = replica.
ALTER TABLE hazard_month_tallies ENABLE ALWAYS TRIGGER hazard_month_tally_rollups_insert_delete;
ALTER TABLE hazard_month_tallies ENABLE ALWAYS TRIGGER hazard_month_tally_rollups_update;
ALTER TABLE hazard_month_tallies ENABLE ALWAYS TRIGGER hazard_month_tally_rollups_truncate;
INSERT INTO hazard_month_tally_rollups (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, level, state, n)
SELECT tenant_id, hazard_month_tally_rollups_key(month, scope_path, scope_sector, scope_enterprise_id, level, state), month, tally_rollup_bucket(scope_path, scope_enterprise_id), scope_sector, CASE WHEN scope_enterprise_id IS NULL THEN NULL ELSE 0 END, level, state, SUM(n)
FROM hazard_month_tallies
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
CREATE TABLE "inspection_month_tally_rollups" (
  "tenant_id" bigint NOT NULL,
  "tally_key" character varying NOT NULL,
  "month" character varying NOT NULL,
  "scope_path" character varying NOT NULL,
  "scope_sector" character varying NULL,
  "scope_enterprise_id" bigint NULL,
  "type" character varying NOT NULL,
  "status" character varying NOT NULL,
  "n" bigint NOT NULL,
  PRIMARY KEY ("tenant_id", "tally_key")
) WITH (fillfactor = 70); -- room on each page for HOT updates of n
CREATE INDEX "inspection_month_tally_rollups_tenant_id_month_scope_path" ON "inspection_month_tally_rollups" ("tenant_id", "month", "scope_path" text_pattern_ops);
CREATE FUNCTION inspection_month_tally_rollups_key(mon character varying, bucket character varying, sector character varying, enterprise bigint, x character varying, y character varying) RETURNS character varying LANGUAGE sql IMMUTABLE AS $$
  SELECT mon || '|' || tally_rollup_bucket(bucket, enterprise) || '|' || coalesce(sector, '') || '|' || CASE WHEN enterprise IS NULL THEN '0' ELSE '1' END || '|' || x || '|' || y
$$;
-- inspection_month_tally_rollups_add adds delta to the rollup of the fine key's town.
CREATE FUNCTION inspection_month_tally_rollups_add(tenant bigint, mon character varying, bucket character varying, sector character varying, enterprise bigint, x character varying, y character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO inspection_month_tally_rollups AS t (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, type, status, n)
  VALUES (tenant, inspection_month_tally_rollups_key(mon, bucket, sector, enterprise, x, y), mon, tally_rollup_bucket(bucket, enterprise), sector, CASE WHEN enterprise IS NULL THEN NULL ELSE 0 END, x, y, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION inspection_month_tally_rollups_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM inspection_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type, NEW.status, NEW.n);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM inspection_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type, OLD.status, -OLD.n);
  ELSIF (OLD.tenant_id, inspection_month_tally_rollups_key(OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type, OLD.status)) = (NEW.tenant_id, inspection_month_tally_rollups_key(NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type, NEW.status)) THEN
    IF NEW.n <> OLD.n THEN
      PERFORM inspection_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type, NEW.status, NEW.n - OLD.n);
    END IF;
  ELSIF (OLD.tenant_id, inspection_month_tally_rollups_key(OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type, OLD.status)) < (NEW.tenant_id, inspection_month_tally_rollups_key(NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type, NEW.status)) THEN
    PERFORM inspection_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type, OLD.status, -OLD.n);
    PERFORM inspection_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type, NEW.status, NEW.n);
  ELSE
    PERFORM inspection_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type, NEW.status, NEW.n);
    PERFORM inspection_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type, OLD.status, -OLD.n);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER inspection_month_tally_rollups_insert_delete AFTER INSERT OR DELETE ON inspection_month_tallies
  FOR EACH ROW EXECUTE FUNCTION inspection_month_tally_rollups_count();
CREATE TRIGGER inspection_month_tally_rollups_update AFTER UPDATE ON inspection_month_tallies
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION inspection_month_tally_rollups_count();
CREATE FUNCTION inspection_month_tally_rollups_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM inspection_month_tally_rollups;
  RETURN NULL;
END;
$$;
CREATE TRIGGER inspection_month_tally_rollups_truncate BEFORE TRUNCATE ON inspection_month_tallies
  FOR EACH STATEMENT EXECUTE FUNCTION inspection_month_tally_rollups_truncate();
-- ALWAYS, as for the fine tallies: kept also under session_replication_role = replica.
ALTER TABLE inspection_month_tallies ENABLE ALWAYS TRIGGER inspection_month_tally_rollups_insert_delete;
ALTER TABLE inspection_month_tallies ENABLE ALWAYS TRIGGER inspection_month_tally_rollups_update;
ALTER TABLE inspection_month_tallies ENABLE ALWAYS TRIGGER inspection_month_tally_rollups_truncate;
INSERT INTO inspection_month_tally_rollups (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, type, status, n)
SELECT tenant_id, inspection_month_tally_rollups_key(month, scope_path, scope_sector, scope_enterprise_id, type, status), month, tally_rollup_bucket(scope_path, scope_enterprise_id), scope_sector, CASE WHEN scope_enterprise_id IS NULL THEN NULL ELSE 0 END, type, status, SUM(n)
FROM inspection_month_tallies
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
CREATE TABLE "enforcement_month_tally_rollups" (
  "tenant_id" bigint NOT NULL,
  "tally_key" character varying NOT NULL,
  "month" character varying NOT NULL,
  "scope_path" character varying NOT NULL,
  "scope_sector" character varying NULL,
  "scope_enterprise_id" bigint NULL,
  "issuer_scope_path" character varying NULL,
  "issuer_only" boolean NOT NULL,
  "kind" character varying NOT NULL,
  "state" character varying NOT NULL,
  "n" bigint NOT NULL,
  PRIMARY KEY ("tenant_id", "tally_key")
) WITH (fillfactor = 70); -- room on each page for HOT updates of n
CREATE INDEX "enforcement_month_tally_rollups_tenant_id_month_scope_path" ON "enforcement_month_tally_rollups" ("tenant_id", "month", "scope_path" text_pattern_ops);
CREATE FUNCTION enforcement_month_tally_rollups_key(mon character varying, bucket character varying, sector character varying, enterprise bigint, ipath character varying, ionly boolean, x character varying, y character varying) RETURNS character varying LANGUAGE sql IMMUTABLE AS $$
  SELECT mon || '|' || tally_rollup_bucket(bucket, enterprise) || '|' || coalesce(sector, '') || '|' || CASE WHEN enterprise IS NULL THEN '0' ELSE '1' END || '|' || coalesce(ipath, '') || '|' || ionly::text || '|' || x || '|' || y
$$;
-- enforcement_month_tally_rollups_add adds delta to the rollup of the fine key's town.
CREATE FUNCTION enforcement_month_tally_rollups_add(tenant bigint, mon character varying, bucket character varying, sector character varying, enterprise bigint, ipath character varying, ionly boolean, x character varying, y character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO enforcement_month_tally_rollups AS t (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, kind, state, n)
  VALUES (tenant, enforcement_month_tally_rollups_key(mon, bucket, sector, enterprise, ipath, ionly, x, y), mon, tally_rollup_bucket(bucket, enterprise), sector, CASE WHEN enterprise IS NULL THEN NULL ELSE 0 END, ipath, ionly, x, y, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION enforcement_month_tally_rollups_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM enforcement_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind, NEW.state, NEW.n);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM enforcement_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind, OLD.state, -OLD.n);
  ELSIF (OLD.tenant_id, enforcement_month_tally_rollups_key(OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind, OLD.state)) = (NEW.tenant_id, enforcement_month_tally_rollups_key(NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind, NEW.state)) THEN
    IF NEW.n <> OLD.n THEN
      PERFORM enforcement_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind, NEW.state, NEW.n - OLD.n);
    END IF;
  ELSIF (OLD.tenant_id, enforcement_month_tally_rollups_key(OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind, OLD.state)) < (NEW.tenant_id, enforcement_month_tally_rollups_key(NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind, NEW.state)) THEN
    PERFORM enforcement_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind, OLD.state, -OLD.n);
    PERFORM enforcement_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind, NEW.state, NEW.n);
  ELSE
    PERFORM enforcement_month_tally_rollups_add(NEW.tenant_id, NEW.month, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind, NEW.state, NEW.n);
    PERFORM enforcement_month_tally_rollups_add(OLD.tenant_id, OLD.month, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind, OLD.state, -OLD.n);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER enforcement_month_tally_rollups_insert_delete AFTER INSERT OR DELETE ON enforcement_month_tallies
  FOR EACH ROW EXECUTE FUNCTION enforcement_month_tally_rollups_count();
CREATE TRIGGER enforcement_month_tally_rollups_update AFTER UPDATE ON enforcement_month_tallies
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION enforcement_month_tally_rollups_count();
CREATE FUNCTION enforcement_month_tally_rollups_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM enforcement_month_tally_rollups;
  RETURN NULL;
END;
$$;
CREATE TRIGGER enforcement_month_tally_rollups_truncate BEFORE TRUNCATE ON enforcement_month_tallies
  FOR EACH STATEMENT EXECUTE FUNCTION enforcement_month_tally_rollups_truncate();
-- ALWAYS, as for the fine tallies: kept also under session_replication_role = replica.
ALTER TABLE enforcement_month_tallies ENABLE ALWAYS TRIGGER enforcement_month_tally_rollups_insert_delete;
ALTER TABLE enforcement_month_tallies ENABLE ALWAYS TRIGGER enforcement_month_tally_rollups_update;
ALTER TABLE enforcement_month_tallies ENABLE ALWAYS TRIGGER enforcement_month_tally_rollups_truncate;
INSERT INTO enforcement_month_tally_rollups (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, kind, state, n)
SELECT tenant_id, enforcement_month_tally_rollups_key(month, scope_path, scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, kind, state), month, tally_rollup_bucket(scope_path, scope_enterprise_id), scope_sector, CASE WHEN scope_enterprise_id IS NULL THEN NULL ELSE 0 END, issuer_scope_path, issuer_only, kind, state, SUM(n)
FROM enforcement_month_tallies
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
