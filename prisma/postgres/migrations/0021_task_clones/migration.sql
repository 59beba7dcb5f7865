-- Re-run with edits (issue 25): a task made by 复制为新任务 names the task it was copied from.

ALTER TABLE "tasks" ADD COLUMN "cloned_from" INTEGER;
