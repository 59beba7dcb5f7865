/**
 * `log_flood`: writes `lines` log lines as fast as it can (yielding to the event loop every
 * `chunk` lines, as a real chatty job would). It exists to show that a run's log is capped at
 * QTASK_LOG_MAX_LINES with a visible "truncated" line and that the worker's memory stays
 * bounded however much a handler logs (tests/integration/chaos.test.ts).
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { z } from "zod";
import { defineTask } from "@/queue/registry";

export const logFlood = defineTask({
  name: "log_flood",
  title: "日志压测",
  description: "Writes `lines` log lines as fast as possible (to try the per-run log cap).",
  category: "demo",
  queue: "default",
  mode: "fast",
  timeoutMs: 10 * 60_000,
  maxAttempts: 1,
  schema: z
    .object({
      lines: z.number().int().min(0).max(10_000_000),
      chunk: z.number().int().min(1).max(100_000).default(10_000),
    })
    .strict(),
  async run(ctx) {
    const { lines, chunk } = ctx.payload;
    for (let i = 1; i <= lines; i++) {
      ctx.log.info(`line ${i} of ${lines}`);
      if (i % chunk === 0) {
        ctx.signal.throwIfAborted();
        ctx.progress((i / lines) * 100, `${i} / ${lines} lines`);
        await yieldToLoop();
      }
    }
    return { lines };
  },
});
