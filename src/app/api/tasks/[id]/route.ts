import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { route } from "@/server/route";
import { HttpError } from "@/server/errors";
import { getQueue } from "@/server/queue";
import { findTask } from "@/server/tasks";
import { deleteTask } from "@/queue/sql/control";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One task with its runs (newest first). */
const Params = z.object({ id: IdParam });

export const GET = route({ role: "viewer", params: Params }, async ({ params }) => {
  const { database } = await getQueue();
  const found = await findTask(database, params.id);
  if (!found) throw new HttpError("not_found", `task ${params.id} not found`);
  return { json: found };
});

/** Deletes a finished task with its runs, logs and result rows (409 while it is queued or running). */
export const DELETE = route({ role: "operator", audit: "task.delete", params: Params }, async ({ params }) => {
  const { conn } = await getQueue();
  await deleteTask(conn, params.id);
  return { json: { ok: true }, audit: { target: String(params.id) } };
});
