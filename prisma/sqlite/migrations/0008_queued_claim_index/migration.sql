-- tasks_claim_idx held every task whatever its status, so each of a run's two row updates
-- (claimed: running, closed: succeeded, failed...) rewrote its entry for nothing: no claim
-- reads a task that is not queued, and finished tasks piled up in it. It now holds only
-- queued tasks: a claim deletes the entry and a close touches nothing (a retry adds one
-- back), and it stays as small as the backlog. Every query for queued tasks compares status
-- with the queued literal, which lets SQLite use it.
--
-- The claim index also served the task list's queue filter. tasks_queue_idx (queue, id)
-- takes that over, in the list's own order: neither column ever changes, so SQLite, which
-- rewrites only the indexes whose columns an UPDATE changes, writes it once per task. (The
-- PostgreSQL migration differs here: there every index costs an entry per row update.)
-- (No semicolons or quotes in these comments: the migration runner splits on them.)

-- DropIndex
DROP INDEX "tasks_claim_idx";

-- CreateIndex
CREATE INDEX "tasks_claim_idx" ON "tasks"("queue", "priority" DESC, "run_at", "id") WHERE "status" = 'queued';
CREATE INDEX "tasks_queue_idx" ON "tasks"("queue", "id");
