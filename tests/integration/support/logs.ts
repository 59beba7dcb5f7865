/** Reading a run's log in tests as readers see it: stored lines and the rendered ones. */
import type { Db } from "@/db/client";
import { readRunLog } from "@/queue/runLog";

/** The messages of every line of run `runId`, stored and rendered, in seq order. */
export async function runLogMessages(db: Db, runId: number): Promise<string[]> {
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  return (await readRunLog(db, run, { afterSeq: 0, limit: 1_000_000 })).map((l) => l.message);
}
