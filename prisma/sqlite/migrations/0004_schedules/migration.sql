-- CreateTable
CREATE TABLE "schedules" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "task_type" TEXT NOT NULL,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "kind" TEXT NOT NULL,
    "cron" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    "interval_seconds" INTEGER,
    "run_at" DATETIME,
    "priority" INTEGER NOT NULL DEFAULT 500,
    "timeout_ms" INTEGER,
    "max_attempts" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "misfire_policy" TEXT NOT NULL DEFAULT 'run_once',
    "trading_days_only" BOOLEAN NOT NULL DEFAULT false,
    "next_run_at" DATETIME,
    "last_run_at" DATETIME,
    "last_task_id" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "schedule_fires" (
    "schedule_id" INTEGER NOT NULL,
    "slot" DATETIME NOT NULL,
    "task_id" INTEGER NOT NULL,
    "fired_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("schedule_id", "slot"),
    CONSTRAINT "schedule_fires_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "leases" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "schedules_name_key" ON "schedules"("name");

-- CreateIndex
CREATE INDEX "schedules_due_idx" ON "schedules"("enabled", "next_run_at");
