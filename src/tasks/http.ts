/**
 * HTTP sources shared by the crawl and feed jobs: the URL schema payloads accept, a GET with
 * retries, and reading a tabular body (JSON array, `{items: [...]}` or CSV) into validated rows
 * whose errors name the row, so a bad feed fails its task with a message a person can act on.
 */
import { setTimeout as wait } from "node:timers/promises";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { TaskFailPermanently, type TaskContext } from "@/queue/registry";

/** An http(s) URL a payload may name as a source. */
export const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000);

/** GET with retries on network errors, 429 and 5xx (exponential backoff); other statuses are final. */
export async function fetchWithRetry(url: string, retries: number, signal: AbortSignal, log: TaskContext["log"]): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let res: Response | null = null;
    let problem: string;
    try {
      res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
      if (res.ok || (res.status < 500 && res.status !== 429)) return res;
      problem = `HTTP ${res.status}`;
    } catch (err) {
      signal.throwIfAborted();
      problem = (err as Error).message;
    }
    if (attempt >= retries) throw new Error(`${url}: ${problem} (after ${attempt + 1} tries)`);
    const delay = 500 * 2 ** attempt;
    log.warn(`${url}: ${problem}; retrying in ${delay} ms`);
    await wait(delay, undefined, { signal });
  }
}

/** Rows a body may hold at most (a full-market quote feed is ~5,000; a statements backfill more). */
export const MAX_FEED_ROWS = 200_000;

/**
 * The rows of a tabular body: JSON (an array, or an object with an `items` array) when the
 * content type says JSON or the body starts with `[` / `{`, CSV with a header row otherwise.
 * CSV cells stay strings (no casting: "000001" is a code, not 1); the row schemas convert
 * numbers. Empty cells and JSON nulls become absent fields, so optional columns may be blank.
 * Throws TaskFailPermanently when the body is neither: fetching it again would not help.
 */
export function parseTable(text: string, contentType: string | null): Record<string, unknown>[] {
  const body = text.replace(/^\uFEFF/, "");
  const head = body.trimStart()[0];
  let rows: unknown;
  if ((contentType ?? "").includes("json") || head === "[" || head === "{") {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      throw new TaskFailPermanently(`feed is not valid JSON: ${(err as Error).message}`);
    }
    rows = Array.isArray(value) ? value : value && typeof value === "object" && "items" in value ? (value as { items: unknown }).items : null;
    if (!Array.isArray(rows)) throw new TaskFailPermanently("JSON feed must be an array of rows or an object {items: [...]}");
  } else {
    try {
      rows = parse(body, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, cast: false });
    } catch (err) {
      throw new TaskFailPermanently(`feed is not valid CSV: ${(err as Error).message}`);
    }
  }
  const list = rows as unknown[];
  if (list.length > MAX_FEED_ROWS) throw new TaskFailPermanently(`feed has ${list.length} rows; at most ${MAX_FEED_ROWS} are accepted`);
  return list.map((r, i) => {
    if (!r || typeof r !== "object" || Array.isArray(r))
      throw new TaskFailPermanently(`row ${i + 1}: expected an object, got ${JSON.stringify(r)?.slice(0, 80)}`);
    return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null && v !== ""));
  });
}

/**
 * Validates every row against `schema`; on any bad row throws TaskFailPermanently naming the
 * first few (row numbers count data rows from 1, the CSV header excluded) and how many failed.
 */
export function validateRows<T>(rows: Record<string, unknown>[], schema: z.ZodType<T>): T[] {
  const out: T[] = [];
  const problems: string[] = [];
  let bad = 0;
  rows.forEach((r, i) => {
    const res = schema.safeParse(r);
    if (res.success) out.push(res.data);
    else if (++bad <= 5) {
      const what = res.error.issues.map((iss) => `${iss.path.join(".") || "row"}: ${iss.message}`).join(", ");
      problems.push(`row ${i + 1}: ${what}`);
    }
  });
  if (bad > 0) throw new TaskFailPermanently(`malformed feed: ${bad} of ${rows.length} rows invalid; ${problems.join("; ")}${bad > 5 ? "; …" : ""}`);
  return out;
}

/**
 * A number field of a feed row: a JSON number or a numeric string (CSV cells are strings),
 * checked by `n`. Blank cells never get here (parseTable drops them), so "" cannot turn into 0;
 * a non-numeric string stays a string, so the error says "received string".
 */
export function feedNumber(n: z.ZodNumber = z.number()) {
  return z.preprocess((v) => {
    if (typeof v !== "string") return v;
    const x = Number(v.trim());
    return Number.isNaN(x) ? v : x;
  }, n.finite());
}
