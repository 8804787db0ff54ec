-- Hand-written: undoes 0031_viewer_watchers.up.sql.
DROP SEQUENCE "viewer_barriers";
DROP TABLE "viewer_watchers";
CREATE OR REPLACE FUNCTION viewer_generation_bump(tenant bigint, usr bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO viewer_generations AS g (tenant_id, user_id, generation) VALUES (tenant, usr, 1)
  ON CONFLICT (tenant_id, user_id) DO UPDATE SET generation = g.generation + 1
$$;
