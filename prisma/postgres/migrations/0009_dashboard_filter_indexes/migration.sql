-- A schedule's tasks and runs (its page polls them) and the scheduled filter had no index: a
-- scan of every task, 75 to 85 ms at a million. tasks_schedule_idx holds only the tasks a
-- schedule enqueued, so the claim and the close of any other task add no entry to it.
-- (The SQLite migration also replaces tasks_lease_idx by a status index in id order. Here the
-- planner already walks the primary key backwards for a common status, and tasks_lease_idx
-- also serves the queue filter.)
-- (No semicolons or quotes in these comments: the migration runner splits on them.)

-- CreateIndex
CREATE INDEX "tasks_schedule_idx" ON "tasks"("schedule_id", "id") WHERE "schedule_id" IS NOT NULL;
