import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { ResultsQuery } from "@/contracts/tasks";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { resultRowsPage } from "@/queue/sql/reads";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A task's result rows, page-numbered; sorted by key or by `sort` (a top-level field of the row data). */
export const GET = route({ role: "viewer", params: z.object({ id: IdParam }), query: ResultsQuery }, async ({ params, query }) => {
  const { database, conn } = await getQueue();
  if (!(await database.db.task.findUnique({ where: { id: params.id }, select: { id: true } })))
    throw new HttpError("not_found", `task ${params.id} not found`);
  const sortField = query.sort && query.sort !== "key" ? query.sort : undefined;
  const { total, rows } = await resultRowsPage(conn, params.id, {
    page: query.page,
    pageSize: query.page_size,
    sortField,
    desc: query.order === "desc",
  });
  return { json: { items: rows.map((r) => ({ key: r.key, data: JSON.parse(r.data) })), page: query.page, page_size: query.page_size, total } };
});
