-- Hand-written: undoes 0031_viewer_watchers.up.sql.
DROP TABLE `viewer_watchers`;
