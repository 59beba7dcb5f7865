-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "tasks" (
    "id" SERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "queue" TEXT NOT NULL DEFAULT 'default',
    "payload" TEXT NOT NULL DEFAULT '{}',
    "priority" INTEGER NOT NULL DEFAULT 500,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "run_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "timeout_ms" INTEGER NOT NULL DEFAULT 300000,
    "batch_id" TEXT,
    "idempotency_key" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "progress_message" TEXT,
    "result" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "parent_id" INTEGER,
    "schedule_id" TEXT,
    "run_id" INTEGER,
    "worker_id" TEXT,
    "lease_expires_at" TIMESTAMP(3),

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" SERIAL NOT NULL,
    "task_id" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "worker_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "duration_ms" INTEGER,
    "error" TEXT,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_logs" (
    "run_id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "ts" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL DEFAULT 'info',
    "message" TEXT NOT NULL,
    "data" TEXT,

    CONSTRAINT "run_logs_pkey" PRIMARY KEY ("run_id","seq")
);

-- CreateTable
CREATE TABLE "result_rows" (
    "task_id" INTEGER NOT NULL,
    "row_key" TEXT NOT NULL,
    "run_id" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "result_rows_pkey" PRIMARY KEY ("task_id","row_key")
);

-- CreateTable
CREATE TABLE "workers" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "queues" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "running" INTEGER NOT NULL DEFAULT 0,
    "stopped_at" TIMESTAMP(3),

    CONSTRAINT "workers_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_logs" ADD CONSTRAINT "run_logs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
