import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { healthWorkers } from "@/server/tasks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Liveness of the web server, the database and the workers. */
export const GET = route({ role: "public" }, async () => {
  try {
    const { conn } = await getQueue();
    return { json: { status: "ok", database: "ok", workers: await healthWorkers(conn) } };
  } catch (err) {
    console.error("[health] database check failed:", err);
    return { status: 503, json: { status: "error", database: "error", workers: [] } };
  }
});
