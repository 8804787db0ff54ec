DROP TRIGGER viewer_generations_unit_update ON units;
CREATE TRIGGER viewer_generations_unit_update AFTER UPDATE OF scope_path, kind, tenant_id ON units
  FOR EACH ROW WHEN ((OLD.scope_path, OLD.kind, OLD.tenant_id) IS DISTINCT FROM (NEW.scope_path, NEW.kind, NEW.tenant_id))
  EXECUTE FUNCTION viewer_generations_tenant();
ALTER TABLE units ENABLE ALWAYS TRIGGER viewer_generations_unit_update;
