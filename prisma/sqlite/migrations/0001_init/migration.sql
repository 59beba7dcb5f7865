-- CreateTable
CREATE TABLE "tasks" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "type" TEXT NOT NULL,
    "queue" TEXT NOT NULL DEFAULT 'default',
    "payload" TEXT NOT NULL DEFAULT '{}',
    "priority" INTEGER NOT NULL DEFAULT 500,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "run_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "timeout_ms" INTEGER NOT NULL DEFAULT 300000,
    "batch_id" TEXT,
    "idempotency_key" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "progress_message" TEXT,
    "result" TEXT,
    "error" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" DATETIME,
    "finished_at" DATETIME,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "parent_id" INTEGER,
    "schedule_id" TEXT,
    "run_id" INTEGER,
    "worker_id" TEXT,
    "lease_expires_at" DATETIME
);

-- CreateTable
CREATE TABLE "runs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "task_id" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "worker_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "started_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" DATETIME,
    "duration_ms" INTEGER,
    "error" TEXT,
    CONSTRAINT "runs_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "run_logs" (
    "run_id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "ts" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL DEFAULT 'info',
    "message" TEXT NOT NULL,
    "data" TEXT,

    PRIMARY KEY ("run_id", "seq"),
    CONSTRAINT "run_logs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "result_rows" (
    "task_id" INTEGER NOT NULL,
    "row_key" TEXT NOT NULL,
    "run_id" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("task_id", "row_key")
);

-- CreateTable
CREATE TABLE "workers" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "queues" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "running" INTEGER NOT NULL DEFAULT 0,
    "stopped_at" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "tasks_idempotency_key_key" ON "tasks"("idempotency_key");

-- CreateIndex
CREATE INDEX "tasks_claim_idx" ON "tasks"("queue", "status", "priority" DESC, "run_at", "id");

-- CreateIndex
CREATE INDEX "tasks_lease_idx" ON "tasks"("status", "lease_expires_at");

-- CreateIndex
CREATE INDEX "tasks_batch_idx" ON "tasks"("batch_id");

-- CreateIndex
CREATE INDEX "tasks_type_idx" ON "tasks"("type", "id");

-- CreateIndex
CREATE INDEX "tasks_parent_idx" ON "tasks"("parent_id");

-- CreateIndex
CREATE INDEX "tasks_finished_idx" ON "tasks"("finished_at");

-- CreateIndex
CREATE INDEX "runs_task_idx" ON "runs"("task_id", "id");

-- CreateIndex
CREATE INDEX "runs_status_idx" ON "runs"("status", "id");

-- CreateIndex
CREATE INDEX "result_rows_run_idx" ON "result_rows"("task_id", "run_id");

-- CreateIndex
CREATE INDEX "workers_seen_idx" ON "workers"("last_seen_at");
