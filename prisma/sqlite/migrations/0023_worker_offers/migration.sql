-- Idle workers offering a slot to the enqueue (PostgreSQL only, see the PostgreSQL migration
-- 0024). SQLite has the table so that both databases match the one schema, and never writes it.

-- CreateTable
CREATE TABLE "worker_offers" (
    "worker_id" TEXT NOT NULL PRIMARY KEY,
    "queues" TEXT NOT NULL,
    "lease_ms" INTEGER NOT NULL,
    "lock_key" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "offered_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
