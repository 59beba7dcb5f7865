-- Who enqueued a task through the API (a username, or an API token's name): the history of
-- screens and backtests shows it and filters by it. NULL for tasks a schedule, a group or the
-- engine API enqueued (a schedule's tasks carry schedule_id instead).

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "created_by" TEXT;
