-- Idle workers offering a slot, so that an enqueue hands its task straight to one of them
-- (src/queue/sql/handoff.ts, issue 26): the enqueue statement leases the task to the worker and
-- notifies it on its own channel with the task, and the worker starts it without a claim round
-- trip. A row exists only while its worker is idle. The worker holds the advisory lock
-- (class 7435371, lock_key) on its listening connection, so an offer whose lock is free
-- belongs to a worker that is gone and is never used.

-- CreateTable
CREATE TABLE "worker_offers" (
    "worker_id" TEXT NOT NULL,
    "queues" TEXT NOT NULL,
    "lease_ms" INTEGER NOT NULL,
    "lock_key" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "offered_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "worker_offers_pkey" PRIMARY KEY ("worker_id")
);
