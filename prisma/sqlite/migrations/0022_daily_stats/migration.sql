-- Daily roll-up of runs (issue 25): per day, task type and queue, the runs by outcome and
-- histograms of duration and wait, kept when retention deletes the runs, so the trends on the
-- dashboard outlive the tasks they summarise.

-- CreateTable
CREATE TABLE "daily_stats" (
    "day" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "runs" INTEGER NOT NULL,
    "outcomes" TEXT NOT NULL,
    "duration_hist" TEXT NOT NULL,
    "wait_hist" TEXT NOT NULL,
    CONSTRAINT "daily_stats_pkey" PRIMARY KEY ("day", "type", "queue")
);

-- Runs deleted (retention, delete, bulk delete) before their day was rolled up for good.
-- CreateTable
CREATE TABLE "daily_stats_kept_runs" (
    "run_id" INTEGER NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL,
    "finished_at" DATETIME NOT NULL,
    "duration_ms" INTEGER,
    "due_at" DATETIME
);

-- One row: how far the roll-up is final, where its scan of runs starts, and a version that
-- every deletion of runs moves on.
-- CreateTable
CREATE TABLE "daily_stats_state" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "final_before" DATETIME,
    "scan_from_id" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,
    "rolled_at" DATETIME
);

INSERT INTO "daily_stats_state" ("id") VALUES (1);
