-- An API token belongs to the user who made it: disabling or deleting that user revokes it.
-- Tokens made before this migration belong to the user whose name they were made by.
-- (No semicolons or quotes in these comments: the migration runner splits on them.)

-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN "created_by_id" INTEGER;

-- CreateIndex
CREATE INDEX "api_tokens_owner_idx" ON "api_tokens"("created_by_id");

-- Backfill
UPDATE "api_tokens" SET "created_by_id" = (SELECT "id" FROM "users" WHERE "users"."username" = "api_tokens"."created_by");
