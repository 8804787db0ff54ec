-- atlas:delimiter \n\n

-- Hand-written: ent's schema cannot express triggers. Listed in atlas.sum by
-- `make migrations-hash`. Statements are separated by blank lines (the
-- directive above), for the trigger bodies' sake.
--
-- viewer_generations counts the changes to what a signed-in user is allowed:
-- one row per (tenant, user) for the user, their posts and their sessions
-- (refresh tokens), and one row per tenant (user_id 0) for moves of units in
-- the tree, which change the territory of every post at or under them. The
-- triggers bump the counters inside the writing statement, whoever writes,
-- so every server replica's viewer cache (authz.ViewerCache) sees a change on
-- its next request by reading two integers. Rows are never deleted; a missing
-- row is generation 0. A later migration that rebuilds users, posts,
-- refresh_tokens or units (SQLite's ALTER by copy drops their triggers) must
-- create these triggers again.
CREATE TABLE `viewer_generations` (
  `tenant_id` integer NOT NULL,
  `user_id` integer NOT NULL,
  `generation` integer NOT NULL,
  PRIMARY KEY (`tenant_id`, `user_id`)
);

CREATE TRIGGER `viewer_generations_user_update` AFTER UPDATE ON `users`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, OLD.`id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_user_delete` AFTER DELETE ON `users`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, OLD.`id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_post_insert` AFTER INSERT ON `posts`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (NEW.`tenant_id`, NEW.`user_id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_post_update` AFTER UPDATE ON `posts`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, OLD.`user_id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (NEW.`tenant_id`, NEW.`user_id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_post_delete` AFTER DELETE ON `posts`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, OLD.`user_id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_session_insert` AFTER INSERT ON `refresh_tokens`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (NEW.`tenant_id`, NEW.`user_id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_session_update` AFTER UPDATE ON `refresh_tokens`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, OLD.`user_id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_session_delete` AFTER DELETE ON `refresh_tokens`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, OLD.`user_id`, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_unit_update` AFTER UPDATE OF `scope_path`, `kind`, `tenant_id` ON `units`
WHEN OLD.`scope_path` IS NOT NEW.`scope_path` OR OLD.`kind` IS NOT NEW.`kind` OR OLD.`tenant_id` IS NOT NEW.`tenant_id`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, 0, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;

CREATE TRIGGER `viewer_generations_unit_delete` AFTER DELETE ON `units`
BEGIN
  INSERT INTO `viewer_generations` (`tenant_id`, `user_id`, `generation`) VALUES (OLD.`tenant_id`, 0, 1)
  ON CONFLICT (`tenant_id`, `user_id`) DO UPDATE SET `generation` = `generation` + 1;
END;
