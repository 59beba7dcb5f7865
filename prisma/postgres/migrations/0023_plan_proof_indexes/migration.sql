-- Four indexes let the planner pick a path for the hot statements of the engine that is right only
-- when the statistics are. They mostly describe a table of finished tasks (vacuum and analyze
-- run when the backlog is gone), and a task id is always newer than the last analyze saw, so
-- after a burst of enqueues the planner believed almost nothing was queued and that an id
-- matched almost no row. Measured in the side-by-side harness (issue 26).
--
-- tasks_lease_idx (status, queue, lease_expires_at) held the queued tasks too, so a claim for
-- one queue could read every queued task of it by this index and sort them all, on disk, for
-- each claim (20,000 queued: 25 to 50 ms a claim, where the claim index reads the first 1000
-- in order in 2 ms). It now leaves the queued tasks out: they are in tasks_claim_idx, in claim
-- order, and only there. The counts by status and the task list ask for them separately.
--
-- tasks_type_idx (type, id) could serve the claim and the close, which name their rows by
-- id = ANY of an array, as a scan of the whole index once per array element, which the planner
-- costed like the primary key: closes of 200 tasks took 3 to 5 seconds. It now has a condition
-- those statements cannot prove (type is never NULL, so it holds every task), and any query on
-- type proves it, so the task list still finds a type by it.
--
-- runs_task_idx (task_id, id) and runs_status_idx (status, id) had the same flaw for the close,
-- which updates the runs of the closed tasks by id: with fresh statistics it scanned the whole
-- runs_task_idx for each run, 130 ms per close, and a drain of 20,000 tasks ran at 300 to
-- 2,000 a second instead of 11,000. Both get the same kind of condition: a query by task or by
-- status proves it (joins on task_id included), a lookup by id does not.
-- (No semicolons or quotes in these comments: the migration runner splits on them.)

-- DropIndex
DROP INDEX "tasks_lease_idx";
DROP INDEX "tasks_type_idx";
DROP INDEX "runs_task_idx";
DROP INDEX "runs_status_idx";

-- CreateIndex
CREATE INDEX "tasks_lease_idx" ON "tasks"("status", "queue", "lease_expires_at") WHERE "status" <> 'queued';
CREATE INDEX "tasks_type_idx" ON "tasks"("type", "id") WHERE "type" IS NOT NULL;
CREATE INDEX "runs_task_idx" ON "runs"("task_id", "id") WHERE "task_id" IS NOT NULL;
CREATE INDEX "runs_status_idx" ON "runs"("status", "id") WHERE "status" IS NOT NULL;
