-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`.
--
-- The dashboard's monthly tallies: hazard_month_tallies,
-- inspection_month_tallies and enforcement_month_tallies hold the number of
-- records per key: tenant, month (UTC, 'YYYY-MM', of found_at, inspected_on,
-- issued_on: the month the dashboard groups by), scope bucket (the subject
-- enterprise's path for an enterprise-side record, the subject's own path
-- for a government unit's, as in hazard_tallies), sector, enterprise, the
-- issuer side of an enforcement action, and the record's two dimensions
-- (level and state, type and status, kind and state). Triggers keep them
-- equal to COUNT(*) of the records inside the writing statement, whoever
-- writes; concurrent writers add deltas with one UPSERT each, and a key change
-- takes its two keys in key order. Rows that fall to 0 stay. The indexes on
-- (tenant_id, date) let the dashboard count the days of a month its period
-- cuts from the records. See internal/dashboard and docs/ARCHITECTURE.md.
CREATE INDEX "hazard_tenant_id_found_at" ON "hazards" ("tenant_id", "found_at");
CREATE TABLE "hazard_month_tallies" (
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
CREATE INDEX "hazard_month_tallies_tenant_id_month_scope_path" ON "hazard_month_tallies" ("tenant_id", "month", "scope_path" text_pattern_ops);
CREATE INDEX "hazard_month_tallies_tenant_id_scope_path_month" ON "hazard_month_tallies" ("tenant_id", "scope_path" text_pattern_ops, "month");
CREATE INDEX "hazard_month_tallies_scope_enterprise_id" ON "hazard_month_tallies" ("scope_enterprise_id");
CREATE FUNCTION hazard_month_tally_key(at timestamptz, path character varying, sector character varying, enterprise bigint,
  x character varying, y character varying) RETURNS character varying LANGUAGE sql STABLE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM') || '|' || hazard_tally_bucket(path, enterprise) || '|' || coalesce(sector, '')
    || '|' || coalesce(enterprise, 0) || '|' || x || '|' || y
$$;
-- hazard_month_tally_add adds delta to the tally of one key.
CREATE FUNCTION hazard_month_tally_add(tenant bigint, at timestamptz, path character varying, sector character varying, enterprise bigint,
  x character varying, y character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO hazard_month_tallies AS t (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, level, state, n)
  VALUES (tenant, hazard_month_tally_key(at, path, sector, enterprise, x, y), to_char(at AT TIME ZONE 'UTC', 'YYYY-MM'),
    hazard_tally_bucket(path, enterprise), sector, enterprise, x, y, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION hazard_month_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hazard_month_tally_add(NEW.tenant_id, NEW.found_at, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level::text, NEW.state::text, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hazard_month_tally_add(OLD.tenant_id, OLD.found_at, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level::text, OLD.state::text, -1);
  ELSIF (OLD.tenant_id, hazard_month_tally_key(OLD.found_at, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level::text, OLD.state::text))
      < (NEW.tenant_id, hazard_month_tally_key(NEW.found_at, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level::text, NEW.state::text)) THEN
    PERFORM hazard_month_tally_add(OLD.tenant_id, OLD.found_at, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level::text, OLD.state::text, -1);
    PERFORM hazard_month_tally_add(NEW.tenant_id, NEW.found_at, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level::text, NEW.state::text, 1);
  ELSE
    PERFORM hazard_month_tally_add(NEW.tenant_id, NEW.found_at, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.level::text, NEW.state::text, 1);
    PERFORM hazard_month_tally_add(OLD.tenant_id, OLD.found_at, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.level::text, OLD.state::text, -1);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_month_tallies_insert_delete AFTER INSERT OR DELETE ON hazards
  FOR EACH ROW EXECUTE FUNCTION hazard_month_tallies_count();
CREATE TRIGGER hazard_month_tallies_update AFTER UPDATE OF tenant_id, scope_path, scope_sector, scope_enterprise_id, found_at, level, state ON hazards
  FOR EACH ROW WHEN ((OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.found_at, OLD.level, OLD.state)
    IS DISTINCT FROM (NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.found_at, NEW.level, NEW.state))
  EXECUTE FUNCTION hazard_month_tallies_count();
CREATE FUNCTION hazard_month_tallies_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM hazard_month_tallies;
  RETURN NULL;
END;
$$;
CREATE TRIGGER hazard_month_tallies_truncate BEFORE TRUNCATE ON hazards
  FOR EACH STATEMENT EXECUTE FUNCTION hazard_month_tallies_truncate();
-- ALWAYS, as for hazard_tallies: kept also under session_replication_role = replica.
ALTER TABLE hazards ENABLE ALWAYS TRIGGER hazard_month_tallies_insert_delete;
ALTER TABLE hazards ENABLE ALWAYS TRIGGER hazard_month_tallies_update;
ALTER TABLE hazards ENABLE ALWAYS TRIGGER hazard_month_tallies_truncate;
INSERT INTO hazard_month_tallies (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, level, state, n)
SELECT tenant_id, hazard_month_tally_key(found_at, scope_path, scope_sector, scope_enterprise_id, level::text, state::text),
  to_char(found_at AT TIME ZONE 'UTC', 'YYYY-MM'), hazard_tally_bucket(scope_path, scope_enterprise_id), scope_sector, scope_enterprise_id, level, state, COUNT(*)
FROM hazards
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
CREATE INDEX "inspection_tenant_id_inspected_on" ON "inspections" ("tenant_id", "inspected_on");
CREATE TABLE "inspection_month_tallies" (
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
CREATE INDEX "inspection_month_tallies_tenant_id_month_scope_path" ON "inspection_month_tallies" ("tenant_id", "month", "scope_path" text_pattern_ops);
CREATE INDEX "inspection_month_tallies_tenant_id_scope_path_month" ON "inspection_month_tallies" ("tenant_id", "scope_path" text_pattern_ops, "month");
CREATE INDEX "inspection_month_tallies_scope_enterprise_id" ON "inspection_month_tallies" ("scope_enterprise_id");
CREATE FUNCTION inspection_month_tally_key(at timestamptz, path character varying, sector character varying, enterprise bigint,
  x character varying, y character varying) RETURNS character varying LANGUAGE sql STABLE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM') || '|' || hazard_tally_bucket(path, enterprise) || '|' || coalesce(sector, '')
    || '|' || coalesce(enterprise, 0) || '|' || x || '|' || y
$$;
-- inspection_month_tally_add adds delta to the tally of one key.
CREATE FUNCTION inspection_month_tally_add(tenant bigint, at timestamptz, path character varying, sector character varying, enterprise bigint,
  x character varying, y character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO inspection_month_tallies AS t (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, type, status, n)
  VALUES (tenant, inspection_month_tally_key(at, path, sector, enterprise, x, y), to_char(at AT TIME ZONE 'UTC', 'YYYY-MM'),
    hazard_tally_bucket(path, enterprise), sector, enterprise, x, y, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION inspection_month_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM inspection_month_tally_add(NEW.tenant_id, NEW.inspected_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type::text, NEW.status::text, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM inspection_month_tally_add(OLD.tenant_id, OLD.inspected_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type::text, OLD.status::text, -1);
  ELSIF (OLD.tenant_id, inspection_month_tally_key(OLD.inspected_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type::text, OLD.status::text))
      < (NEW.tenant_id, inspection_month_tally_key(NEW.inspected_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type::text, NEW.status::text)) THEN
    PERFORM inspection_month_tally_add(OLD.tenant_id, OLD.inspected_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type::text, OLD.status::text, -1);
    PERFORM inspection_month_tally_add(NEW.tenant_id, NEW.inspected_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type::text, NEW.status::text, 1);
  ELSE
    PERFORM inspection_month_tally_add(NEW.tenant_id, NEW.inspected_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.type::text, NEW.status::text, 1);
    PERFORM inspection_month_tally_add(OLD.tenant_id, OLD.inspected_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.type::text, OLD.status::text, -1);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER inspection_month_tallies_insert_delete AFTER INSERT OR DELETE ON inspections
  FOR EACH ROW EXECUTE FUNCTION inspection_month_tallies_count();
CREATE TRIGGER inspection_month_tallies_update AFTER UPDATE OF tenant_id, scope_path, scope_sector, scope_enterprise_id, inspected_on, type, status ON inspections
  FOR EACH ROW WHEN ((OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.inspected_on, OLD.type, OLD.status)
    IS DISTINCT FROM (NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.inspected_on, NEW.type, NEW.status))
  EXECUTE FUNCTION inspection_month_tallies_count();
CREATE FUNCTION inspection_month_tallies_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM inspection_month_tallies;
  RETURN NULL;
END;
$$;
CREATE TRIGGER inspection_month_tallies_truncate BEFORE TRUNCATE ON inspections
  FOR EACH STATEMENT EXECUTE FUNCTION inspection_month_tallies_truncate();
-- ALWAYS, as for hazard_tallies: kept also under session_replication_role = replica.
ALTER TABLE inspections ENABLE ALWAYS TRIGGER inspection_month_tallies_insert_delete;
ALTER TABLE inspections ENABLE ALWAYS TRIGGER inspection_month_tallies_update;
ALTER TABLE inspections ENABLE ALWAYS TRIGGER inspection_month_tallies_truncate;
INSERT INTO inspection_month_tallies (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, type, status, n)
SELECT tenant_id, inspection_month_tally_key(inspected_on, scope_path, scope_sector, scope_enterprise_id, type::text, status::text),
  to_char(inspected_on AT TIME ZONE 'UTC', 'YYYY-MM'), hazard_tally_bucket(scope_path, scope_enterprise_id), scope_sector, scope_enterprise_id, type, status, COUNT(*)
FROM inspections
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
CREATE INDEX "enforcementaction_tenant_id_issued_on" ON "enforcement_actions" ("tenant_id", "issued_on");
CREATE TABLE "enforcement_month_tallies" (
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
CREATE INDEX "enforcement_month_tallies_tenant_id_month_scope_path" ON "enforcement_month_tallies" ("tenant_id", "month", "scope_path" text_pattern_ops);
CREATE INDEX "enforcement_month_tallies_tenant_id_scope_path_month" ON "enforcement_month_tallies" ("tenant_id", "scope_path" text_pattern_ops, "month");
CREATE INDEX "enforcement_month_tallies_scope_enterprise_id" ON "enforcement_month_tallies" ("scope_enterprise_id");
CREATE FUNCTION enforcement_month_tally_key(at timestamptz, path character varying, sector character varying, enterprise bigint,
  ipath character varying, ionly boolean, x character varying, y character varying) RETURNS character varying LANGUAGE sql STABLE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM') || '|' || hazard_tally_bucket(path, enterprise) || '|' || coalesce(sector, '')
    || '|' || coalesce(enterprise, 0) || '|' || coalesce(ipath, '') || '|' || ionly::text || '|' || x || '|' || y
$$;
-- enforcement_month_tally_add adds delta to the tally of one key.
CREATE FUNCTION enforcement_month_tally_add(tenant bigint, at timestamptz, path character varying, sector character varying, enterprise bigint,
  ipath character varying, ionly boolean, x character varying, y character varying, delta bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO enforcement_month_tallies AS t (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, kind, state, n)
  VALUES (tenant, enforcement_month_tally_key(at, path, sector, enterprise, ipath, ionly, x, y), to_char(at AT TIME ZONE 'UTC', 'YYYY-MM'),
    hazard_tally_bucket(path, enterprise), sector, enterprise, ipath, ionly, x, y, delta)
  ON CONFLICT (tenant_id, tally_key) DO UPDATE SET n = t.n + excluded.n
$$;
CREATE FUNCTION enforcement_month_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM enforcement_month_tally_add(NEW.tenant_id, NEW.issued_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind::text, NEW.state::text, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM enforcement_month_tally_add(OLD.tenant_id, OLD.issued_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind::text, OLD.state::text, -1);
  ELSIF (OLD.tenant_id, enforcement_month_tally_key(OLD.issued_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind::text, OLD.state::text))
      < (NEW.tenant_id, enforcement_month_tally_key(NEW.issued_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind::text, NEW.state::text)) THEN
    PERFORM enforcement_month_tally_add(OLD.tenant_id, OLD.issued_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind::text, OLD.state::text, -1);
    PERFORM enforcement_month_tally_add(NEW.tenant_id, NEW.issued_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind::text, NEW.state::text, 1);
  ELSE
    PERFORM enforcement_month_tally_add(NEW.tenant_id, NEW.issued_on, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.kind::text, NEW.state::text, 1);
    PERFORM enforcement_month_tally_add(OLD.tenant_id, OLD.issued_on, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.kind::text, OLD.state::text, -1);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER enforcement_month_tallies_insert_delete AFTER INSERT OR DELETE ON enforcement_actions
  FOR EACH ROW EXECUTE FUNCTION enforcement_month_tallies_count();
CREATE TRIGGER enforcement_month_tallies_update AFTER UPDATE OF tenant_id, scope_path, scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, issued_on, kind, state ON enforcement_actions
  FOR EACH ROW WHEN ((OLD.tenant_id, OLD.scope_path, OLD.scope_sector, OLD.scope_enterprise_id, OLD.issuer_scope_path, OLD.issuer_only, OLD.issued_on, OLD.kind, OLD.state)
    IS DISTINCT FROM (NEW.tenant_id, NEW.scope_path, NEW.scope_sector, NEW.scope_enterprise_id, NEW.issuer_scope_path, NEW.issuer_only, NEW.issued_on, NEW.kind, NEW.state))
  EXECUTE FUNCTION enforcement_month_tallies_count();
CREATE FUNCTION enforcement_month_tallies_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM enforcement_month_tallies;
  RETURN NULL;
END;
$$;
CREATE TRIGGER enforcement_month_tallies_truncate BEFORE TRUNCATE ON enforcement_actions
  FOR EACH STATEMENT EXECUTE FUNCTION enforcement_month_tallies_truncate();
-- ALWAYS, as for hazard_tallies: kept also under session_replication_role = replica.
ALTER TABLE enforcement_actions ENABLE ALWAYS TRIGGER enforcement_month_tallies_insert_delete;
ALTER TABLE enforcement_actions ENABLE ALWAYS TRIGGER enforcement_month_tallies_update;
ALTER TABLE enforcement_actions ENABLE ALWAYS TRIGGER enforcement_month_tallies_truncate;
INSERT INTO enforcement_month_tallies (tenant_id, tally_key, month, scope_path, scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, kind, state, n)
SELECT tenant_id, enforcement_month_tally_key(issued_on, scope_path, scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, kind::text, state::text),
  to_char(issued_on AT TIME ZONE 'UTC', 'YYYY-MM'), hazard_tally_bucket(scope_path, scope_enterprise_id), scope_sector, scope_enterprise_id, issuer_scope_path, issuer_only, kind, state, COUNT(*)
FROM enforcement_actions
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
