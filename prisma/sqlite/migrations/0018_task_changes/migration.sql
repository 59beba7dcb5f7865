-- When a task last changed in a way a person sees that no other column records (progress, a
-- cancel request, a retry, a rescue, a failed attempt), so the web server's event stream
-- (GET /api/events) reads those changes by an index instead of scanning tasks. NULL until the
-- first such change: enqueues, claims and successes — the hot path — never write it (new tasks,
-- new runs and finished tasks are read by their own keys: tasks.id, runs.id, finished_at), and
-- the partial index holds only rows that have it, so they pay nothing for it.

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "changed_at" DATETIME;

-- CreateIndex
CREATE INDEX "tasks_changed_idx" ON "tasks"("changed_at", "id") WHERE "changed_at" IS NOT NULL;
