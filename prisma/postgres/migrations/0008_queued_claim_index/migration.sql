-- tasks_claim_idx held every task whatever its status, so each of a run's two row updates
-- (claimed: running, closed: succeeded, failed...) added an entry no claim ever reads, and
-- finished tasks piled up in it. It now holds only queued tasks: a claim and a close add no
-- entry to it (a retry adds one back), and it stays as small as the backlog. Every query for
-- queued tasks compares status with the queued literal, which lets both databases use it.
--
-- The claim index also served the task list's queue filter (a rare queue found in a
-- millisecond instead of a scan of the whole table). tasks_lease_idx takes that over, as
-- (status, queue, lease_expires_at) instead of (status, lease_expires_at), and the list asks
-- for a queue under a condition on every status (src/queue/sql/reads.ts). No index is added:
-- a row update that changes an indexed column adds an entry to every index of the table.
-- (The SQLite migration differs here: SQLite rewrites only the indexes whose columns change.)
-- (No semicolons or quotes in these comments: the migration runner splits on them.)

-- DropIndex
DROP INDEX "tasks_claim_idx";
DROP INDEX "tasks_lease_idx";

-- CreateIndex
CREATE INDEX "tasks_claim_idx" ON "tasks"("queue", "priority" DESC, "run_at", "id") WHERE "status" = 'queued';
CREATE INDEX "tasks_lease_idx" ON "tasks"("status", "queue", "lease_expires_at");
