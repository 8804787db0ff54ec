-- Hand-written: drops what 0023_viewer_generations.up.sql created.
DROP TRIGGER viewer_generations_unit_delete ON units;
DROP TRIGGER viewer_generations_unit_update ON units;
DROP TRIGGER viewer_generations_session ON refresh_tokens;
DROP TRIGGER viewer_generations_post ON posts;
DROP TRIGGER viewer_generations_user ON users;
DROP FUNCTION viewer_generations_tenant();
DROP FUNCTION viewer_generations_user();
DROP FUNCTION viewer_generation_bump(bigint, bigint);
DROP TABLE viewer_generations;
