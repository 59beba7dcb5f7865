/** Reading a run's log in tests as readers see it: stored lines and the rendered ones. */
import type { Conn } from "@/queue/sql/executor";
import { readRunLog } from "@/queue/runLog";

/** The messages of every line of run `runId`, stored and rendered, in seq order. */
export async function runLogMessages(conn: Conn, runId: number): Promise<string[]> {
  const run = await conn.db.run.findUniqueOrThrow({ where: { id: runId } });
  return (await readRunLog(conn, run, { afterSeq: 0, limit: 1_000_000 })).map((l) => l.message);
}
