-- Written by hand: reverses 0019_idempotency.up.sql.
DROP INDEX `idempotency_keys_expires_at`;
DROP TABLE `idempotency_keys`;
