-- An idempotency key is scoped by task type: a second client that uses the same key for
-- another task type gets its own task instead of the first client's. The partial unique
-- index (migration 0007) now covers type and key, type first, so the enqueue's lookup by
-- type and key reads it.

-- DropIndex
DROP INDEX "tasks_idempotency_key_key";

-- CreateIndex
CREATE UNIQUE INDEX "tasks_idempotency_key_key" ON "tasks"("type", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
