-- Two of the dashboard's filters had no index that serves them at volume.
--
-- The task list filtered by status (the tabs 排队中, 运行中, 最近完成 and the status filter)
-- asks for a status newest first. tasks_lease_idx (status, lease_expires_at) found a status
-- but not in id order, so SQLite sorted the whole status for every page: at a million tasks
-- a page of succeeded tasks took 108 ms and the 最近完成 tab 55 ms, polled every few seconds.
-- tasks_status_idx (status, id) reads any status, or several, in id order (under 0.1 ms).
-- It also takes over what tasks_lease_idx did: the rescue of expired leases and the heartbeat
-- look among the running tasks, which are few (at most what the workers hold), and filter them
-- by lease or run. Status changes at a claim and at a close, as before, so those write the
-- same entries, and a heartbeat, which changes only the lease, now writes none.
--
-- A schedule's tasks and runs (its page polls them) and the scheduled filter had no index at
-- all: a scan of every task, 80 to 90 ms at a million. tasks_schedule_idx holds only the tasks
-- a schedule enqueued, and neither of its columns ever changes, so other tasks never touch it.
--
-- ANALYZE: on a database that already has the planner statistics of the weekly maintenance, a
-- new index without any looked like it matched a handful of rows, and SQLite chose it over
-- every other index of tasks, the claim index included (a claim sorted the whole backlog).
-- On a new, empty database it writes nothing.
-- (The PostgreSQL migration differs: there tasks_lease_idx also serves the queue filter, and
-- its planner walks the primary key backwards for a common status.)
-- (No semicolons or quotes in these comments: the migration runner splits on them.)

-- DropIndex
DROP INDEX "tasks_lease_idx";

-- CreateIndex
CREATE INDEX "tasks_status_idx" ON "tasks"("status", "id");
CREATE INDEX "tasks_schedule_idx" ON "tasks"("schedule_id", "id") WHERE "schedule_id" IS NOT NULL;

-- Statistics for the new indexes
ANALYZE "tasks";
