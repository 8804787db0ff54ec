-- A new unit is inserted with a placeholder path (its parent's path + 'new/',
-- or '/pending/' for a tenant root) that a second statement completes with
-- its id (authz.UnitPathHook). That update moves nothing: no viewer of the
-- tenant changes, so it no longer counts as a tenant-wide change. Only real
-- moves, and kind or tenant changes of a placed unit, do. Real paths hold
-- only ids, so the placeholders cannot be mistaken for them.
DROP TRIGGER viewer_generations_unit_update ON units;
CREATE TRIGGER viewer_generations_unit_update AFTER UPDATE OF scope_path, kind, tenant_id ON units
  FOR EACH ROW WHEN (OLD.scope_path NOT LIKE '%/new/' AND OLD.scope_path <> '/pending/'
    AND (OLD.scope_path, OLD.kind, OLD.tenant_id) IS DISTINCT FROM (NEW.scope_path, NEW.kind, NEW.tenant_id))
  EXECUTE FUNCTION viewer_generations_tenant();
ALTER TABLE units ENABLE ALWAYS TRIGGER viewer_generations_unit_update;
