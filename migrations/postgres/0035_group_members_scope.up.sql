-- Hand-written: a leadership group's member is scoped by the post it is held
-- by, not by its group (docs/AUTHZ.md, threat model): each member row takes
-- the scope columns of its post (those of the post's unit: path, sector,
-- enterprise), so that the read filter shows a seat, with the person's name,
-- title, user and post, exactly to those who read that post. Rows written
-- before copied the group's columns.
UPDATE group_members SET
  scope_path = (SELECT p.scope_path FROM posts p WHERE p.id = group_members.post_id),
  scope_sector = (SELECT p.scope_sector FROM posts p WHERE p.id = group_members.post_id),
  scope_enterprise_id = (SELECT p.scope_enterprise_id FROM posts p WHERE p.id = group_members.post_id)
WHERE EXISTS (SELECT 1 FROM posts p WHERE p.id = group_members.post_id);
