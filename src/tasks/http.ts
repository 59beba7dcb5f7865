/**
 * HTTP sources shared by the crawl and feed jobs: the URL schema payloads accept (declared
 * hosts only, src/tasks/feedHosts.ts), a bounded GET with retries, and reading a tabular body
 * (JSON array, `{items: [...]}` or CSV) into validated rows whose errors name the row, so a bad
 * feed fails its task with a message a person can act on. Messages never quote the body (it
 * may be anything a remote host chose to send) and show URLs only redacted.
 */
import { setTimeout as wait } from "node:timers/promises";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { TaskFailPermanently, type TaskContext } from "@/queue/registry";
import { redactUrl } from "@/queue/redact";
import { feedHostRefusal } from "./feedHosts";
import { csvWhere } from "@/domain/csvError";

/** An http(s) URL a payload may name as a source: its host must be declared (feedHostRefusal). */
export const HttpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .superRefine((value, ctx) => {
    const why = feedHostRefusal(new URL(value));
    if (why) ctx.addIssue({ code: "custom", message: why });
  });

/** Limits of one feed request, from the environment (README, "Feeds"). */
export function feedLimits(env: Readonly<Record<string, string | undefined>> = process.env) {
  const num = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return env[name] && Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    /** QTASK_FEED_MAX_BYTES: the largest body read (default 50 MiB; a full-market CSV is ~1 MB). */
    maxBytes: num("QTASK_FEED_MAX_BYTES", 50 * 1024 * 1024),
    /** QTASK_FEED_TIMEOUT_MS: one request, body included (default 30 s). */
    timeoutMs: num("QTASK_FEED_TIMEOUT_MS", 30_000),
  };
}

/** Redirects followed at most, each checked against the allowed hosts. */
const MAX_REDIRECTS = 5;

/** A successful answer: the body as text and its content type. */
export interface FeedBody {
  text: string;
  contentType: string | null;
}

/** An error status: final for a 4xx other than 429 (a retry would get the same), else worth a retry. */
class StatusError extends Error {
  constructor(
    readonly status: number,
    readonly final = status < 500 && status !== 429,
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * One GET of `start`: redirects followed by hand (at most 5), each target's host checked like
 * the first; user-info sent as Basic auth; the body read up to maxBytes; the whole request
 * bounded by timeoutMs.
 */
async function getOnce(start: string, signal: AbortSignal): Promise<FeedBody> {
  const { maxBytes, timeoutMs } = feedLimits();
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  let url = new URL(start);
  // fetch() refuses URLs with user-info: send it as Basic auth, to the first origin only (as curl does).
  const origin = url.origin;
  const basic =
    url.username || url.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`
      : null;
  url.username = url.password = "";
  try {
    for (let hops = 0; ; hops++) {
      const refusal = feedHostRefusal(url);
      // The first URL was checked at enqueue too, but QTASK_FEED_HOSTS may have changed since.
      if (refusal) throw new TaskFailPermanently(hops === 0 ? refusal : `redirect refused: ${refusal}`);
      const headers: Record<string, string> = basic && url.origin === origin ? { authorization: basic } : {};
      const res = await fetch(url, { signal: both, redirect: "manual", headers });
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        if (hops >= MAX_REDIRECTS) throw new TaskFailPermanently(`more than ${MAX_REDIRECTS} redirects`);
        url = new URL(location, url);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new StatusError(res.status);
      }
      const declared = Number(res.headers.get("content-length"));
      if (declared > maxBytes) {
        await res.body?.cancel();
        throw new TaskFailPermanently(`response larger than ${maxBytes} bytes (QTASK_FEED_MAX_BYTES)`);
      }
      return { text: await readCapped(res, maxBytes), contentType: res.headers.get("content-type") };
    }
  } catch (err) {
    if (err instanceof TaskFailPermanently || err instanceof StatusError || signal.aborted) throw err;
    if (timeout.aborted) throw new Error(`timed out after ${timeoutMs / 1000} s`);
    // Network errors: refused, reset, DNS, TLS. Their details would tell closed ports from open ones.
    throw new Error("fetch failed");
  }
}

/** The body as UTF-8 text, refused once it passes `max` bytes (a missing or lying Content-Length included). */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new TaskFailPermanently(`response larger than ${max} bytes (QTASK_FEED_MAX_BYTES)`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * GETs a feed with retries on network errors, timeouts, 429 and 5xx (exponential backoff from
 * 500 ms); another status fails at once. Errors and log lines name the URL redacted and the
 * status or "fetch failed", never the body.
 */
export async function fetchFeed(url: string, retries: number, signal: AbortSignal, log: TaskContext["log"]): Promise<FeedBody> {
  const shown = redactUrl(url);
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      return await getOnce(url, signal);
    } catch (err) {
      signal.throwIfAborted();
      if (err instanceof TaskFailPermanently) throw new TaskFailPermanently(`${shown}: ${err.message}`);
      if (err instanceof StatusError && err.final) throw new Error(`${shown}: ${err.message}`);
      problem = (err as Error).message;
    }
    if (attempt >= retries) throw new Error(`${shown}: ${problem} (after ${attempt + 1} tries)`);
    const delay = 500 * 2 ** attempt;
    log.warn(`${shown}: ${problem}; retrying in ${delay} ms`);
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
      // JSON.parse's message quotes the body around the error; the position is enough.
      const at = /position (\d+)/.exec((err as Error).message)?.[1];
      throw new TaskFailPermanently(`feed is not valid JSON${at ? ` (at character ${at})` : ""}`);
    }
    rows = Array.isArray(value) ? value : value && typeof value === "object" && "items" in value ? (value as { items: unknown }).items : null;
    if (!Array.isArray(rows)) throw new TaskFailPermanently("JSON feed must be an array of rows or an object {items: [...]}");
  } else {
    try {
      rows = parse(body, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, cast: false });
    } catch (err) {
      throw new TaskFailPermanently(`feed is not valid CSV${csvWhere(err)}`);
    }
  }
  const list = rows as unknown[];
  if (list.length > MAX_FEED_ROWS) throw new TaskFailPermanently(`feed has ${list.length} rows; at most ${MAX_FEED_ROWS} are accepted`);
  return list.map((r, i) => {
    if (!r || typeof r !== "object" || Array.isArray(r))
      throw new TaskFailPermanently(`row ${i + 1}: expected an object, got ${r === null ? "null" : Array.isArray(r) ? "an array" : typeof r}`);
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
