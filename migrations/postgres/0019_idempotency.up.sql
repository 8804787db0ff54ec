-- Written by hand: the Idempotency-Key store of the GraphQL endpoint
-- (server/idempotency.go), outside the ent schema because no resolver reads
-- it. One row per user and key: the request's body hash, and once the first
-- request finished its status, content type and body. Times are Unix
-- milliseconds, compared the same way on both dialects.
CREATE TABLE "idempotency_keys" (
  "user_id" bigint NOT NULL,
  "key" character varying NOT NULL,
  "body_hash" character varying NOT NULL,
  "status" bigint NULL,
  "content_type" character varying NULL,
  "response" bytea NULL,
  "created_at" bigint NOT NULL,
  "expires_at" bigint NOT NULL,
  PRIMARY KEY ("user_id", "key"),
  CONSTRAINT "idempotency_keys_users_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX "idempotency_keys_expires_at" ON "idempotency_keys" ("expires_at");
