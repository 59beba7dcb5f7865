-- When a task last changed in a way a person sees (state, progress, cancel request), so the
-- web server's event stream (GET /api/events) reads what changed since its last read by this
-- index instead of scanning tasks. Milliseconds, like every DateTime here. Existing rows get
-- their creation time (0 where created_at is not a number): they are history, not news.

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "changed_at" DATETIME NOT NULL DEFAULT 0;
UPDATE "tasks" SET "changed_at" = "created_at" WHERE typeof("created_at") = 'integer';

-- CreateIndex
CREATE INDEX "tasks_changed_idx" ON "tasks"("changed_at", "id");
