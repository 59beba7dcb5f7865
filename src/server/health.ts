/** The liveness endpoint's verb, and the list of live workers the overview shows too. */
import type { getHealth } from "@/contracts/system";
import type { Conn } from "@/queue/sql/executor";
import { liveWorkers } from "@/queue/sql/lease";
import { getQueue } from "./context";
import type { Input, Output } from "./route";

/**
 * Liveness of the web server and the database (503 when the database cannot be reached); a
 * signed-in caller also sees the workers (their host names and pids are not for everyone).
 */
export async function check({ principal }: Input<typeof getHealth>): Promise<Output<typeof getHealth>> {
  try {
    const { conn } = await getQueue();
    return { json: { status: "ok", database: "ok", ...(principal ? { workers: await healthWorkers(conn) } : {}) } };
  } catch (err) {
    console.error("[health] database check failed:", err);
    return { status: 503, json: { status: "error", database: "error" } };
  }
}

/** Workers alive in the last minute, as /api/health lists them. */
export async function healthWorkers(conn: Conn) {
  // Several heartbeat intervals of slack, so one slow beat does not make a worker vanish.
  const workers = await liveWorkers(conn, 60_000);
  return workers.map((w) => ({ id: w.id, last_seen_at: w.lastSeenAt.toISOString(), running: w.running }));
}
