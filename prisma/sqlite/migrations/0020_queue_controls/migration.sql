-- Queue controls (issue 24): pause and cluster-wide limits per queue, enforced in the claim,
-- the overlap policy of schedules, skipped slots in the fire history of a schedule.

-- CreateTable
CREATE TABLE "queue_controls" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "paused_by" TEXT,
    "paused_at" DATETIME,
    "max_running" INTEGER,
    "rate_limit" INTEGER,
    "rate_period_ms" INTEGER,
    "key_field" TEXT,
    "max_running_per_key" INTEGER,
    "rate_tat" DATETIME,
    "catalogue_hash" TEXT,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Existing schedules keep the old behaviour (allow), the API gives new cron and interval schedules skip.
ALTER TABLE "schedules" ADD COLUMN "overlap_policy" TEXT NOT NULL DEFAULT 'allow';

-- A slot not fired, and why (null: fired).
ALTER TABLE "schedule_fires" ADD COLUMN "skip_reason" TEXT;
