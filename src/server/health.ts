/** The liveness endpoint's verb, and the list of live workers the overview shows too. */
import type { getHealth } from "@/contracts/system";
import type { Conn } from "@/queue/sql/executor";
import { liveWorkers } from "@/queue/sql/lease";
import { getQueue } from "./context";
import type { Output } from "./route";

/** Liveness of the web server, the database and the workers (503 when the database cannot be reached). */
export async function check(): Promise<Output<typeof getHealth>> {
  try {
    const { conn } = await getQueue();
    return { json: { status: "ok", database: "ok", workers: await healthWorkers(conn) } };
  } catch (err) {
    console.error("[health] database check failed:", err);
    return { status: 503, json: { status: "error", database: "error", workers: [] } };
  }
}

/** Workers alive in the last minute, as /api/health lists them. */
export async function healthWorkers(conn: Conn) {
  // Several heartbeat intervals of slack, so one slow beat does not make a worker vanish.
  const workers = await liveWorkers(conn, 60_000);
  return workers.map((w) => ({ id: w.id, last_seen_at: w.lastSeenAt.toISOString(), running: w.running }));
}
