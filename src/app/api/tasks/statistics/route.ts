import { StatisticsQuery } from "@/contracts/tasks";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { statistics } from "@/server/dashboard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Per task type: count, success rate, average, p50 and p95 duration over [from, to) (default: last 24 h). */
export const GET = route({ role: "viewer", query: StatisticsQuery }, async ({ query }) => {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3600_000);
  if (from >= to) throw new HttpError("invalid_input", "from must be before to");
  const { conn } = await getQueue();
  return { json: { from: from.toISOString(), to: to.toISOString(), items: await statistics(conn, from, to) } };
});
