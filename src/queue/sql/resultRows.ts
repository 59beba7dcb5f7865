/**
 * A task's result rows page by page, sorted by a top-level field of their data and filtered
 * by the typed columns of the task's type (src/contracts/resultView.ts): ranges, any-of values
 * (also inside an array, or an array of objects), and case-insensitive text. Each condition
 * has one dialect difference, the JSON functions, commented where it is.
 */
import { join, raw, sql, type Sql } from "@/db/dialect";
import { dialect, query, toInt, type Conn } from "./executor";
import { PAYLOAD_KEY } from "./reads";

/**
 * A condition on one top-level field of a row's data (the API parses it from a typed column,
 * src/contracts/resultView.ts): a range, any of some values (of an array's items, or of an
 * `item` field of an array's objects), or a piece of lower-case text.
 */
export type ColumnFilter =
  | { field: string; op: "range"; min: number | string | null; max: number | string | null }
  | { field: string; op: "in"; values: string[]; item?: string }
  | { field: string; op: "contains"; text: string };

/** What a page of result rows is cut from. */
export interface ResultRowsQuery {
  sortField?: string;
  desc?: boolean;
  filters?: ColumnFilter[];
}

function checkField(name: string): string {
  if (!PAYLOAD_KEY.test(name)) throw new Error(`invalid result field ${name}`);
  return name;
}

/** The SQL condition of one filter. */
function conditionOf(conn: Conn, f: ColumnFilter): Sql {
  const pg = dialect(conn).provider === "postgres";
  const field = checkField(f.field);
  if (f.op === "range") {
    const parts: Sql[] = [];
    if (typeof (f.min ?? f.max) === "number") {
      // PostgreSQL: only a JSON number is cast (a string in a number column would make the
      // cast fail the whole query); SQLite's json_extract gives numbers as numbers, and a text
      // value compares above every number, so it is excluded by type too.
      const v = pg
        ? sql`(CASE WHEN jsonb_typeof(data::jsonb -> ${field}) = 'number' THEN (data::jsonb ->> ${field})::float8 END)`
        : sql`(CASE WHEN json_type(data, ${"$." + field}) IN ('integer', 'real') THEN json_extract(data, ${"$." + field}) END)`;
      if (f.min !== null) parts.push(sql`${v} >= ${f.min}`);
      if (f.max !== null) parts.push(sql`${v} <= ${f.max}`);
    } else {
      // Dates: YYYY-MM-DD (or ISO timestamps) compare as text; COLLATE "C" so PostgreSQL's
      // locale does not reorder the digits and dashes. The upper bound takes the whole day.
      const v = pg ? sql`((data::jsonb ->> ${field}) COLLATE "C")` : sql`CAST(json_extract(data, ${"$." + field}) AS TEXT)`;
      if (f.min !== null) parts.push(sql`${v} >= ${String(f.min)}`);
      if (f.max !== null) parts.push(sql`${v} <= ${String(f.max) + "\uffff"}`);
    }
    return join(parts, " AND ");
  }
  if (f.op === "in") {
    const item = f.item ? checkField(f.item) : null;
    // One value or an array of them (of objects: their `item` field). SQLite's json_each
    // walks an array and gives a scalar as itself; PostgreSQL wraps a scalar in an array
    // first. Booleans and numbers match as their JSON text (true, 1.5).
    if (pg) {
      const arr = sql`(CASE jsonb_typeof(data::jsonb -> ${field}) WHEN 'array' THEN data::jsonb -> ${field} ELSE jsonb_build_array(data::jsonb -> ${field}) END)`;
      const value = item ? sql`(e.v ->> ${item})` : sql`(e.v #>> '{}')`;
      return sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${arr}) AS e(v) WHERE ${value} IN (${join(f.values)}))`;
    }
    const value = item
      ? sql`CAST(json_extract(e.value, ${"$." + item}) AS TEXT)`
      : sql`(CASE e.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(e.value AS TEXT) END)`;
    return sql`EXISTS (SELECT 1 FROM json_each(data, ${"$." + field}) AS e WHERE ${value} IN (${join(f.values)}))`;
  }
  const like = `%${f.text.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
  const v = pg ? sql`lower(data::jsonb ->> ${field})` : sql`lower(CAST(json_extract(data, ${"$." + field}) AS TEXT))`;
  return sql`${v} LIKE ${like} ESCAPE '\\'`;
}

/**
 * One page of a task's result rows with the total that match: sorted by `sortField` (a
 * top-level field of the data; by key without one), filtered by `filters`.
 */
export async function resultRowsPage(
  conn: Conn,
  taskId: number,
  opts: { page: number; pageSize: number } & ResultRowsQuery,
): Promise<{ total: number; rows: { key: string; data: string }[] }> {
  const where = whereOf(conn, taskId, opts.filters ?? []);
  const dir = raw(opts.desc ? "DESC" : "ASC");
  const [count, rows] = await Promise.all([
    query<{ n: unknown }>(conn, sql`SELECT COUNT(*) AS n FROM result_rows WHERE ${where}`),
    query<{ row_key: string; data: string }>(
      conn,
      sql`SELECT row_key, data FROM result_rows WHERE ${where}
          ORDER BY ${orderOf(conn, opts.sortField)} ${dir}, row_key ${dir} LIMIT ${opts.pageSize} OFFSET ${(opts.page - 1) * opts.pageSize}`,
    ),
  ]);
  return { total: toInt(count[0]?.n), rows: rows.map((r) => ({ key: r.row_key, data: r.data })) };
}

/**
 * Every matching row in order, `batch` at a time (the CSV export: a task may have 100,000
 * rows; reading them in pages keeps the server's memory flat while it streams).
 */
export async function* resultRowsAll(
  conn: Conn,
  taskId: number,
  opts: ResultRowsQuery,
  batch = 2_000,
): AsyncGenerator<{ key: string; data: string }[]> {
  for (let page = 1; ; page++) {
    const { rows } = await resultRowsPage(conn, taskId, { ...opts, page, pageSize: batch });
    if (rows.length) yield rows;
    if (rows.length < batch) return;
  }
}

function whereOf(conn: Conn, taskId: number, filters: ColumnFilter[]): Sql {
  return join([sql`task_id = ${taskId}`, ...filters.map((f) => conditionOf(conn, f))], " AND ");
}

function orderOf(conn: Conn, sortField: string | undefined): Sql {
  if (!sortField) return sql`row_key`;
  const field = checkField(sortField);
  // PostgreSQL: jsonb values compare numbers as numbers and strings as strings; SQLite's
  // json_extract returns typed values, which compare the same way.
  return dialect(conn).provider === "postgres" ? sql`(data::jsonb -> ${field})` : sql`json_extract(data, ${"$." + field})`;
}
