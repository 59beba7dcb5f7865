import { z } from "zod";
import { stringify } from "csv-stringify/sync";
import { IdParam } from "@/contracts/common";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** All result rows of a task as CSV: a `key` column, then one column per top-level field of the data. */
export const GET = route({ role: "viewer", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { database } = await getQueue();
  if (!(await database.db.task.findUnique({ where: { id: params.id }, select: { id: true } })))
    throw new HttpError("not_found", `task ${params.id} not found`);
  const rows = await database.db.resultRow.findMany({ where: { taskId: params.id }, orderBy: { rowKey: "asc" } });
  const data = rows.map((r) => ({ key: r.rowKey, data: JSON.parse(r.data) as unknown }));
  const fields = [
    ...new Set(data.flatMap((r) => (r.data && typeof r.data === "object" && !Array.isArray(r.data) ? Object.keys(r.data) : ["value"]))),
  ];
  const cell = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  const records = data.map((r) => {
    const obj = r.data && typeof r.data === "object" && !Array.isArray(r.data) ? (r.data as Record<string, unknown>) : { value: r.data };
    return [r.key, ...fields.map((f) => cell(obj[f]))];
  });
  // A BOM so spreadsheet programs read the UTF-8 (Chinese names) correctly.
  const csv = "\ufeff" + stringify([["key", ...fields], ...records]);
  return new Response(csv, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="task-${params.id}-results.csv"` },
  });
});
