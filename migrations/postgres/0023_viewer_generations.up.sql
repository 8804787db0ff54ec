-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`.
--
-- viewer_generations counts the changes to what a signed-in user is allowed:
-- one row per (tenant, user) for the user, their posts and their sessions
-- (refresh tokens), and one row per tenant (user_id 0) for moves of units in
-- the tree, which change the territory of every post at or under them. The
-- triggers bump the counters inside the writing transaction, whoever writes,
-- so every server replica's viewer cache (authz.ViewerCache) sees a change on
-- its next request by reading two integers. One UPSERT per bump (never
-- read-modify-write). Rows are never deleted; a missing row is generation 0.
CREATE TABLE "viewer_generations" (
  "tenant_id" bigint NOT NULL,
  "user_id" bigint NOT NULL,
  "generation" bigint NOT NULL,
  PRIMARY KEY ("tenant_id", "user_id")
) WITH (fillfactor = 70); -- room on each page for HOT updates of generation
-- viewer_generation_bump counts one change for (tenant, user); user 0 is the
-- whole tenant.
CREATE FUNCTION viewer_generation_bump(tenant bigint, usr bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO viewer_generations AS g (tenant_id, user_id, generation) VALUES (tenant, usr, 1)
  ON CONFLICT (tenant_id, user_id) DO UPDATE SET generation = g.generation + 1
$$;
-- viewer_generations_user bumps the row's user: users (id), posts and
-- refresh_tokens (user_id); OLD and NEW when an update moves the row.
CREATE FUNCTION viewer_generations_user() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_user bigint;
  new_user bigint;
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    IF TG_OP <> 'INSERT' THEN old_user := OLD.id; END IF;
    IF TG_OP <> 'DELETE' THEN new_user := NEW.id; END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN old_user := OLD.user_id; END IF;
    IF TG_OP <> 'DELETE' THEN new_user := NEW.user_id; END IF;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM viewer_generation_bump(OLD.tenant_id, old_user);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (OLD.tenant_id, old_user) IS DISTINCT FROM (NEW.tenant_id, new_user)) THEN
    PERFORM viewer_generation_bump(NEW.tenant_id, new_user);
  END IF;
  RETURN NULL;
END;
$$;
CREATE FUNCTION viewer_generations_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM viewer_generation_bump(OLD.tenant_id, 0);
  RETURN NULL;
END;
$$;
CREATE TRIGGER viewer_generations_user AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION viewer_generations_user();
CREATE TRIGGER viewer_generations_post AFTER INSERT OR UPDATE OR DELETE ON posts
  FOR EACH ROW EXECUTE FUNCTION viewer_generations_user();
CREATE TRIGGER viewer_generations_session AFTER INSERT OR UPDATE OR DELETE ON refresh_tokens
  FOR EACH ROW EXECUTE FUNCTION viewer_generations_user();
CREATE TRIGGER viewer_generations_unit_update AFTER UPDATE OF scope_path, kind, tenant_id ON units
  FOR EACH ROW WHEN ((OLD.scope_path, OLD.kind, OLD.tenant_id) IS DISTINCT FROM (NEW.scope_path, NEW.kind, NEW.tenant_id))
  EXECUTE FUNCTION viewer_generations_tenant();
CREATE TRIGGER viewer_generations_unit_delete AFTER DELETE ON units
  FOR EACH ROW EXECUTE FUNCTION viewer_generations_tenant();
-- ALWAYS: also when a bulk load sets session_replication_role = replica.
ALTER TABLE users ENABLE ALWAYS TRIGGER viewer_generations_user;
ALTER TABLE posts ENABLE ALWAYS TRIGGER viewer_generations_post;
ALTER TABLE refresh_tokens ENABLE ALWAYS TRIGGER viewer_generations_session;
ALTER TABLE units ENABLE ALWAYS TRIGGER viewer_generations_unit_update;
ALTER TABLE units ENABLE ALWAYS TRIGGER viewer_generations_unit_delete;
