/**
 * A task's result rows as its type declares them (src/contracts/resultView.ts): a page sorted
 * and filtered by column, and the CSV of the same rows in the same columns. Types without a
 * declaration get the generic table: a key column, then one per top-level field.
 */
import { stringify } from "csv-stringify/sync";
import {
  digitsOf,
  parseColumnFilter,
  shownNumber,
  sortable,
  sparkValues,
  tagItems,
  type ColumnFilter,
  type ResultColumn,
  type ResultView,
} from "@/contracts/resultView";
import type { taskResults, taskResultsCsv } from "@/contracts/tasks";
import type { Database } from "@/db/client";
import { resultRowsAll, resultRowsPage, type ResultRowsQuery } from "@/queue/sql/resultRows";
import { resultViewOf } from "@/tasks";
import { getQueue } from "./context";
import { csvSafe } from "./csvCell";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";

/** A task's result rows, page-numbered; sorted by key or by a column, filtered by columns. */
export async function results({ params, query }: Input<typeof taskResults>): Promise<Output<typeof taskResults>> {
  const { database, conn } = await getQueue();
  const view = await viewOf(database, params.id);
  const { total, rows } = await resultRowsPage(conn, params.id, { page: query.page, pageSize: query.page_size, ...rowsQuery(view, query) });
  return { json: { items: rows.map((r) => ({ key: r.key, data: JSON.parse(r.data) })), page: query.page, page_size: query.page_size, total } };
}

/**
 * The rows the table shows (same sort and filters) as CSV, in the declared columns headed in
 * `lang`; values plain for a spreadsheet: numbers rounded to the column's digits without
 * separators, percents in percent (the header says "%"), money in its currency (the header
 * names it), tags as their words, sparklines as numbers separated by spaces.
 */
export async function resultsCsv({ params, query }: Input<typeof taskResultsCsv>): Promise<Output<typeof taskResultsCsv>> {
  const { database, conn } = await getQueue();
  const view = await viewOf(database, params.id);
  const rows: { key: string; data: unknown }[] = [];
  for await (const batch of resultRowsAll(conn, params.id, rowsQuery(view, query)))
    for (const r of batch) rows.push({ key: r.key, data: JSON.parse(r.data) });
  const lang = query.lang;
  const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  const declared = view?.columns ?? [];
  const named = new Set(declared.map((c) => c.field));
  const rest =
    declared.length === 0 || view?.more
      ? [...new Set(rows.flatMap((r) => (isRecord(r.data) ? Object.keys(r.data) : ["value"])))].filter((f) => !named.has(f))
      : [];
  const header = [...(declared.length ? [] : ["key"]), ...declared.map((c) => headerOf(c, lang)), ...rest];
  const records = rows.map((r) => {
    const obj = isRecord(r.data) ? r.data : { value: r.data };
    return [...(declared.length ? [] : [r.key]), ...declared.map((c) => csvValue(c, obj[c.field], lang)), ...rest.map((f) => plain(obj[f]))].map(
      csvSafe,
    );
  });
  // A BOM so spreadsheet programs read the UTF-8 (Chinese names) correctly.
  const csv = "\ufeff" + stringify([header.map(csvSafe), ...records]);
  return new Response(csv, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="task-${params.id}-results.csv"` },
  });
}

/** The declared view of a task's type (undefined: generic); 404 for a task that does not exist. */
async function viewOf(database: Database, id: number): Promise<ResultView | undefined> {
  const task = await database.db.task.findUnique({ where: { id }, select: { type: true } });
  if (!task) throw new HttpError("not_found", `task ${id} not found`);
  return resultViewOf(task.type);
}

/**
 * The sort and filters of a results query, checked against the view: a filter or sort on a
 * field no column declares (where the view lists its columns only), a sort on tags or a
 * sparkline, or a filter text that does not fit its column's kind is a 400.
 */
function rowsQuery(view: ResultView | undefined, query: Record<string, unknown>): ResultRowsQuery {
  const columnOf = (field: string): Pick<ResultColumn, "field" | "kind" | "item"> => {
    const c = view?.columns.find((x) => x.field === field);
    if (c) return c;
    if (view && view.columns.length > 0 && !view.more)
      throw new HttpError("invalid_input", `no column ${field}`, { columns: view.columns.map((x) => x.field) });
    // An undeclared field (generic table, or the extra fields after the columns) is text.
    return { field, kind: "text" };
  };
  const filters: ColumnFilter[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (!k.startsWith("filter.")) continue;
    const parsed = parseColumnFilter(columnOf(k.slice("filter.".length)), String(v));
    if (typeof parsed === "string") throw new HttpError("invalid_input", parsed, { parameter: k });
    filters.push(parsed);
  }
  const sort = typeof query.sort === "string" && query.sort !== "key" ? query.sort : undefined;
  if (sort && !sortable(columnOf(sort))) throw new HttpError("invalid_input", `${sort} cannot be sorted (tags and sparklines do not order)`);
  return { sortField: sort, desc: query.order === "desc", filters };
}

function headerOf(c: ResultColumn, lang: "zh" | "en"): string {
  const title = c.title[lang];
  if (c.kind === "percent") return `${title} (%)`;
  if (c.kind === "money") return `${title} (${c.currency ?? "CNY"})`;
  return title;
}

function plain(v: unknown): string {
  return v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** One CSV cell of a declared column. */
function csvValue(c: ResultColumn, v: unknown, lang: "zh" | "en"): string {
  switch (c.kind) {
    case "number":
    case "percent":
    case "money": {
      const n = shownNumber(c, v);
      return n === null ? plain(v) : n.toFixed(digitsOf(c, n));
    }
    case "tags":
      return tagItems(c, v, lang)
        .map((t) => (t.detail === null ? t.text : `${t.text} ${t.detail}`))
        .join("; ");
    case "sparkline":
      return sparkValues(c, v).join(" ");
    case "link":
      return Array.isArray(v) ? v.map(plain).join(" ") : plain(v);
    default:
      return plain(v);
  }
}
