-- When a task last changed in a way a person sees (state, progress, cancel request), so the
-- web server's event stream (GET /api/events) reads what changed since its last read by this
-- index instead of scanning tasks. Existing rows get their creation time: history, not news.

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE "tasks" SET "changed_at" = "created_at";

-- CreateIndex
CREATE INDEX "tasks_changed_idx" ON "tasks"("changed_at", "id");
