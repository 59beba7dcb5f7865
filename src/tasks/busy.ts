/**
 * `busy`: a CPU-bound demo in the compute pool; spins for `ms` milliseconds (or, with
 * `forever`, until its thread is terminated by cancel or timeout).
 */
import { z } from "zod";
import { defineTask } from "@/queue/registry";

export const busy = defineTask({
  name: "busy",
  title: "CPU 计算",
  description: "Spins a CPU core in the compute pool for `ms` milliseconds.",
  category: "demo",
  queue: "compute",
  mode: "compute",
  timeoutMs: 10 * 60_000,
  maxAttempts: 1,
  schema: z.object({ ms: z.number().int().min(0).max(3600_000).default(1000), forever: z.boolean().optional() }).strict(),
  compute(input: { ms: number; forever?: boolean }, report) {
    const started = Date.now();
    let iterations = 0;
    let lastReport = 0;
    // A real busy loop: nothing here yields to the event loop, so only terminating the
    // thread can stop it.
    while (input.forever || Date.now() - started < input.ms) {
      for (let i = 0; i < 10_000; i++) iterations += Math.sqrt(i) > -1 ? 1 : 0;
      const now = Date.now();
      if (now - lastReport > 200 && input.ms > 0) {
        lastReport = now;
        report(Math.min(99, Math.floor(((now - started) / input.ms) * 100)), "computing");
      }
    }
    return { iterations, ms: Date.now() - started };
  },
});
