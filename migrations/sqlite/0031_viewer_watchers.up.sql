-- Hand-written: the table of replicas watching viewer changes (see the
-- PostgreSQL migration of the same number). The embedded database serves one
-- process, which reads the viewer generations on each request and never
-- watches: the table is created so that both databases have the same schema.
CREATE TABLE `viewer_watchers` (
  `id` text NOT NULL PRIMARY KEY,
  `lease_until` datetime NOT NULL,
  `acked` integer NOT NULL DEFAULT 0
);
