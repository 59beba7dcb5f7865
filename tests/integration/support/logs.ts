/** Reading a run's log in tests as readers see it: stored lines and the rendered ones. */
import type { Db } from "@/db/client";
import { readRunLog, type RunLogLine } from "@/queue/runLog";

/** Every line of run `runId`, stored and rendered, in seq order. */
export async function runLogLines(db: Db, runId: number): Promise<RunLogLine[]> {
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  return readRunLog(db, run, { afterSeq: 0, limit: 1_000_000 });
}

/** The messages of every line of run `runId`, in seq order. */
export async function runLogMessages(db: Db, runId: number): Promise<string[]> {
  return (await runLogLines(db, runId)).map((l) => l.message);
}
