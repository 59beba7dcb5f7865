/**
 * `sleep`: waits `ms` milliseconds, logging once a second and reporting progress; stops at
 * once when cancelled. `rows` writes that many result rows; `ignore_abort` makes it ignore
 * its AbortSignal (to demonstrate abandonment of a handler that does not cooperate).
 */
import { z } from "zod";
import { defineTask } from "@/queue/registry";
import { setTimeout as wait } from "node:timers/promises";

export const sleep = defineTask({
  name: "sleep",
  title: "等待",
  description: "Sleeps for `ms` milliseconds, logging every second; honours cancel.",
  category: "demo",
  queue: "default",
  mode: "fast",
  timeoutMs: 10 * 60_000,
  maxAttempts: 3,
  schema: z
    .object({
      ms: z
        .number()
        .int()
        .min(0)
        .max(24 * 3600_000),
      rows: z.number().int().min(0).max(10_000).optional(),
      ignore_abort: z.boolean().optional(),
      /** A free label, e.g. the key of a queue's max_running_per_key. */
      key: z.string().max(100).optional(),
    })
    .strict(),
  async run(ctx) {
    const { ms, rows = 0, ignore_abort = false } = ctx.payload;
    const signal = ignore_abort ? undefined : ctx.signal;
    const started = Date.now();
    ctx.log.info(`sleeping ${ms} ms`);
    let second = 0;
    while (Date.now() - started < ms) {
      const chunk = Math.min(1000, ms - (Date.now() - started));
      await wait(chunk, undefined, { signal });
      // Only a whole second counts: a timer can fire a millisecond early by Date.now(), and the
      // last partial wait would then log one second too many (seen as "slept 2 s" for 1,500 ms).
      if (chunk === 1000 && Date.now() - started < ms) {
        second += 1;
        ctx.log.info(`slept ${second} s`);
      }
      ctx.progress(
        Math.min(99, Math.floor(((Date.now() - started) / Math.max(1, ms)) * 100)),
        `${Math.round((Date.now() - started) / 1000)} / ${Math.ceil(ms / 1000)} s`,
      );
    }
    if (rows > 0) {
      await ctx.addResults(Array.from({ length: rows }, (_, i) => ({ key: String(i).padStart(6, "0"), data: { i, attempt: ctx.attempt } })));
    }
    ctx.log.info("done");
    return { slept_ms: Date.now() - started, rows };
  },
});
