/**
 * `group`: a group run. The parent task enqueues its children (each carries the parent's id)
 * and follows them: `sequence` starts the next child when the previous one succeeded and stops
 * the chain at the first failure (the parent fails, naming the step); `parallel` starts them
 * all and completes when every child has finished (failed if any failed). Cancelling the parent
 * cancels its unfinished children. A re-run of the parent (its worker died) picks up the
 * children that already exist instead of starting them again.
 *
 * Parents wait on the `groups` queue (limited per worker, see QTASK_QUEUES), so waiting parents
 * can never take every slot their children need.
 */
import { setTimeout as wait } from "node:timers/promises";
import { z } from "zod";
import { CreateTaskBody } from "@/contracts/tasks";
import { defineTask, TaskFailPermanently, unavailableReason, type TaskContext } from "@/queue/registry";
import { cancelTask } from "@/queue/sql/control";
import { isFinished } from "@/queue/states";

// A child is what POST /api/tasks takes (the same schema, not a copy), minus the fields the group sets.
const Child = CreateTaskBody.pick({ type: true, payload: true, priority: true, timeout_ms: true, max_attempts: true }).strict();

export const GroupPayload = z
  .object({
    name: z.string().min(1).max(100).optional(),
    mode: z.enum(["sequence", "parallel"]),
    tasks: z.array(Child).min(1).max(200),
  })
  .strict()
  .superRefine((p, ctx) => {
    // Nested groups would wait on the same queue as their parent.
    p.tasks.forEach(
      (c, i) => c.type === "group" && ctx.addIssue({ code: "custom", path: ["tasks", i, "type"], message: "groups cannot contain groups" }),
    );
  });
type Payload = z.infer<typeof GroupPayload>;

const POLL_MS = 300;

async function children(ctx: TaskContext<Payload>) {
  return ctx.db.task.findMany({ where: { parentId: ctx.taskId }, orderBy: { id: "asc" }, select: { id: true, type: true, status: true } });
}

async function enqueueChildren(ctx: TaskContext<Payload>, specs: Payload["tasks"]): Promise<void> {
  await ctx.enqueueMany(
    specs.map((c) => ({
      type: c.type,
      payload: c.payload,
      priority: c.priority,
      timeoutMs: c.timeout_ms,
      maxAttempts: c.max_attempts,
      parentId: ctx.taskId,
    })),
    { batchId: `group-${ctx.taskId}` },
  );
}

async function cancelUnfinished(ctx: TaskContext<Payload>): Promise<void> {
  for (const c of await children(ctx)) if (!isFinished(c.status)) await cancelTask(ctx.conn, c.id).catch(() => undefined);
}

export const group = defineTask({
  name: "group",
  title: "任务组",
  description: "Runs its child tasks in sequence (stopping at the first failure) or in parallel.",
  category: "maintenance",
  queue: "groups",
  mode: "fast",
  timeoutMs: 24 * 3600_000,
  maxAttempts: 3,
  schema: GroupPayload,
  inner(payload) {
    const tasks = (payload as { tasks?: unknown } | null)?.tasks;
    if (!Array.isArray(tasks)) return [];
    return (tasks as { type?: unknown; payload?: unknown; timeout_ms?: unknown }[]).map((c) => ({
      type: String(c?.type),
      payload: c?.payload ?? {},
      timeoutMs: typeof c?.timeout_ms === "number" ? c.timeout_ms : null,
    }));
  },
  // A group cannot run while one of its tasks cannot (the first such child says why).
  unavailable(payload, registry) {
    const tasks = (payload as { tasks?: unknown } | null)?.tasks;
    if (!Array.isArray(tasks)) return null;
    for (const child of tasks as { type?: unknown; payload?: unknown }[]) {
      const problem = typeof child?.type === "string" ? unavailableReason(registry, child.type, child.payload ?? {}) : null;
      if (problem) return `${child.type}: ${problem}`;
    }
    return null;
  },
  async run(ctx) {
    const { mode, tasks } = ctx.payload;
    ctx.log.info(`${mode} group of ${tasks.length} tasks: ${tasks.map((t) => t.type).join(", ")}`);
    try {
      if (mode === "parallel") {
        if ((await children(ctx)).length === 0) await enqueueChildren(ctx, tasks);
        for (;;) {
          const kids = await children(ctx);
          const done = kids.filter((k) => isFinished(k.status));
          ctx.progress((done.length / tasks.length) * 100, `${done.length} / ${tasks.length}`);
          if (done.length === kids.length) {
            const bad = kids.filter((k) => k.status !== "succeeded");
            if (bad.length)
              throw new TaskFailPermanently(
                `${bad.length} of ${kids.length} tasks did not succeed: ${bad.map((k) => `#${k.id} ${k.type} ${k.status}`).join(", ")}`,
              );
            ctx.log.info(`all ${kids.length} tasks succeeded`);
            return { mode, tasks: kids.map((k) => String(k.id)) };
          }
          await wait(POLL_MS, undefined, { signal: ctx.signal });
        }
      }
      for (let step = 0; step < tasks.length; step++) {
        let kids = await children(ctx);
        if (kids.length <= step) {
          ctx.log.info(`step ${step + 1}/${tasks.length}: starting ${tasks[step].type}`);
          await enqueueChildren(ctx, [tasks[step]]);
          kids = await children(ctx);
        }
        const id = kids[step].id;
        for (;;) {
          const status = (await ctx.db.task.findUnique({ where: { id }, select: { status: true } }))?.status ?? "cancelled";
          if (isFinished(status)) {
            if (status !== "succeeded")
              throw new TaskFailPermanently(
                `step ${step + 1}/${tasks.length} (#${id} ${tasks[step].type}) ${status}; the rest of the chain was not started`,
              );
            break;
          }
          await wait(POLL_MS, undefined, { signal: ctx.signal });
        }
        ctx.progress(((step + 1) / tasks.length) * 100, `${step + 1} / ${tasks.length}`);
        ctx.log.info(`step ${step + 1}/${tasks.length} succeeded (#${id})`);
      }
      return { mode, tasks: (await children(ctx)).map((k) => String(k.id)) };
    } catch (err) {
      if (ctx.signal.aborted) await cancelUnfinished(ctx);
      throw err;
    }
  },
});
