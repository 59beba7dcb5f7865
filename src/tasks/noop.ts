/** `noop`: does nothing and succeeds; for benchmarks and smoke tests. */
import { z } from "zod";
import { defineTask } from "@/queue/registry";

export const noop = defineTask({
  name: "noop",
  title: "空任务",
  description: "Does nothing and succeeds at once.",
  category: "demo",
  queue: "default",
  mode: "fast",
  timeoutMs: 60_000,
  maxAttempts: 1,
  schema: z.object({}).passthrough(),
  run: async () => null,
});
