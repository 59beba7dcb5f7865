/** `flaky`: fails its first `fail_times` attempts, then succeeds; shows retries with backoff. */
import { z } from "zod";
import { defineTask } from "@/queue/registry";

export const flaky = defineTask({
  name: "flaky",
  title: "不稳定任务",
  description: "Throws on its first `fail_times` attempts, then succeeds.",
  category: "demo",
  queue: "default",
  mode: "fast",
  timeoutMs: 60_000,
  maxAttempts: 5,
  schema: z.object({ fail_times: z.number().int().min(0).max(100).default(1) }).strict(),
  async run(ctx) {
    if (ctx.attempt <= ctx.payload.fail_times) {
      ctx.log.warn(`attempt ${ctx.attempt} fails on purpose`);
      throw new Error(`flaky: attempt ${ctx.attempt} of ${ctx.payload.fail_times} planned failures`);
    }
    ctx.log.info(`attempt ${ctx.attempt} succeeds`);
    return { attempt: ctx.attempt };
  },
});
