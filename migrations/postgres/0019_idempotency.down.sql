-- Written by hand: reverses 0019_idempotency.up.sql.
DROP TABLE "idempotency_keys";
