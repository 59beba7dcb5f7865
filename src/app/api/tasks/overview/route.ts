import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { overview } from "@/server/dashboard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Counts, queues, what runs and waits, recent results, today's figures and the last hour's throughput. */
export const GET = route({ role: "viewer" }, async () => {
  const { database, conn } = await getQueue();
  return { json: await overview(database, conn) };
});
