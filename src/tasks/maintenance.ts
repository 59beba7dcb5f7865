/**
 * `retention_cleanup`: deletes finished tasks with their runs, log lines and result rows that
 * finished more than `older_than_days` days ago (default QTASK_RETENTION_DAYS, 30), in bounded
 * batches so SQLite's write lock is never held long. Schedule it (e.g. monthly) or run it on
 * demand; POST /api/tasks/cleanup does the same from the API.
 */
import { z } from "zod";
import { defineTask } from "@/queue/registry";
import { optimizeDatabase } from "@/queue/sql/maintenance";
import { deleteFinishedBefore } from "@/queue/sql/reads";

export const retentionCleanup = defineTask({
  name: "retention_cleanup",
  title: "过期数据清理",
  description: "Deletes finished tasks, runs, logs and result rows older than the retention age.",
  category: "maintenance",
  // Deletes history for everyone: admins only, on every path (API, batch, schedule, group).
  role: "admin",
  queue: "default",
  mode: "fast",
  timeoutMs: 60 * 60_000,
  maxAttempts: 3,
  priority: 200,
  schema: z.object({ older_than_days: z.number().int().min(0).max(3650).optional() }).strict(),
  async run(ctx) {
    const days = ctx.payload.older_than_days ?? Number(process.env.QTASK_RETENTION_DAYS ?? 30);
    const before = new Date(Date.now() - days * 86_400_000);
    ctx.log.info(`deleting finished tasks that finished before ${before.toISOString()} (${days} days)`);
    const deleted = await deleteFinishedBefore(ctx.conn, before);
    ctx.log.info(`deleted ${deleted.tasks} tasks, ${deleted.runs} runs, ${deleted.log_lines} log lines, ${deleted.result_rows} result rows`);
    return { older_than_days: days, ...deleted };
  },
});

export const dbMaintenance = defineTask({
  name: "db_maintenance",
  title: "数据库维护",
  description: "Refreshes the query planner's statistics and, on SQLite, checkpoints the write-ahead log.",
  category: "maintenance",
  role: "admin",
  queue: "default",
  mode: "fast",
  timeoutMs: 30 * 60_000,
  maxAttempts: 2,
  priority: 200,
  schema: z.object({}).strict(),
  async run(ctx) {
    const done = await optimizeDatabase(ctx.conn);
    ctx.log.info(`${done.provider}: ${done.steps.join(", ")}`);
    return done;
  },
});
