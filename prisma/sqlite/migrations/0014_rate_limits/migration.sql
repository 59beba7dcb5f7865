-- One table of fixed-window counters for every rate limit: the sign-in attempts of migration
-- 0010 and now the tasks each principal enqueues per minute. Renamed from login_limits, and
-- its attempts column to hits. The rows are kept, so limits in force stay in force.

-- AlterTable
ALTER TABLE "login_limits" RENAME TO "rate_limits";
ALTER TABLE "rate_limits" RENAME COLUMN "attempts" TO "hits";

-- RenameIndex
DROP INDEX "login_limits_window_idx";
CREATE INDEX "rate_limits_window_idx" ON "rate_limits"("window_end");
