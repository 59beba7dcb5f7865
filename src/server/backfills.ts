/** The backfill endpoints' verbs: run a schedule's task type over a date range, and the grid of a schedule's backfills. */
import type { listBackfills, startBackfill } from "@/contracts/backfills";
import { actorName } from "./auth/principal";
import { getQueue } from "./context";
import type { Input, Output } from "./route";
import { assertMayEnqueue } from "./taskAccess";
import { withEnqueueQuota } from "./quota";
import { backfillsJson, startBackfill as enqueueBackfill } from "./schedule/backfill";
import { scheduleOr404 } from "./schedule/rules";

/** One task per trading day of [from, to] as one batch → 201 {"backfill"}. */
export async function start({ params, body, principal }: Input<typeof startBackfill>): Promise<Output<typeof startBackfill>> {
  const { database, conn } = await getQueue();
  const s = await scheduleOr404(database.db, params.id);
  assertMayEnqueue(principal, s.taskType, JSON.parse(s.payload));
  const backfill = await enqueueBackfill(database.db, conn, s, body.from, body.to, actorName(principal), (n, make) =>
    withEnqueueQuota(principal, n, make),
  );
  return {
    status: 201,
    json: { backfill },
    audit: { target: `${s.id}:${s.name}`, details: { from: body.from, to: body.to, batch_id: backfill.batch_id, tasks: backfill.dates.length } },
  };
}

/** The schedule's latest backfills (newest first), each with the status of every date. */
export async function list({ params }: Input<typeof listBackfills>): Promise<Output<typeof listBackfills>> {
  const { database } = await getQueue();
  const db = database.db;
  const s = await scheduleOr404(db, params.id);
  const rows = await db.scheduleBackfill.findMany({ where: { scheduleId: s.id }, orderBy: { id: "desc" }, take: 20 });
  return { json: { items: await backfillsJson(db, s, rows) } };
}
