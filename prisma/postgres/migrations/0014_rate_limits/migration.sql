-- One table of fixed-window counters for every rate limit: the sign-in attempts of migration
-- 0010 and now the tasks each principal enqueues per minute. Renamed from login_limits, and
-- its attempts column to hits. The rows are kept, so limits in force stay in force.

-- AlterTable
ALTER TABLE "login_limits" RENAME TO "rate_limits";
ALTER TABLE "rate_limits" RENAME COLUMN "attempts" TO "hits";
ALTER TABLE "rate_limits" RENAME CONSTRAINT "login_limits_pkey" TO "rate_limits_pkey";

-- RenameIndex
ALTER INDEX "login_limits_window_idx" RENAME TO "rate_limits_window_idx";
