-- Hand-written: drops what 0023_viewer_generations.up.sql created.
DROP TRIGGER `viewer_generations_unit_delete`;
DROP TRIGGER `viewer_generations_unit_update`;
DROP TRIGGER `viewer_generations_session_delete`;
DROP TRIGGER `viewer_generations_session_update`;
DROP TRIGGER `viewer_generations_session_insert`;
DROP TRIGGER `viewer_generations_post_delete`;
DROP TRIGGER `viewer_generations_post_update`;
DROP TRIGGER `viewer_generations_post_insert`;
DROP TRIGGER `viewer_generations_user_delete`;
DROP TRIGGER `viewer_generations_user_update`;
DROP TABLE `viewer_generations`;
