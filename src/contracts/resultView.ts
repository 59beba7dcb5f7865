/**
 * How a task type's result reads as data: the columns of its result rows and the fields of its
 * result, each with a title in both languages and a kind that says how a value is shown,
 * sorted, filtered and exported. Declared by built-in types in code and by script types in the
 * catalogue's YAML (`columns:` and `summary:`), served with the type by `GET /api/task-types`.
 *
 * Conventions (the README's "Result columns" table repeats them):
 * - number: `digits` decimals (default: integers as they are, others 4), thousands separated;
 * - percent: the value is a fraction (0.1234 → 12.34%) unless `unit: "points"` (12.34 → 12.34%), `digits` default 2;
 * - money: `currency` (default CNY, shown ¥) with `digits` (default 2);
 * - date: a YYYY-MM-DD string, or an ISO timestamp shown in the viewer's time zone;
 * - tags: one value or an array of them (or of objects, with `item.value` naming the field), each a coloured tag;
 * - link: a fund code, task id or run id, linking to its page;
 * - sparkline: an array of numbers (or of objects, with `item.value` naming the field), drawn small.
 */
import { z } from "zod";

/** A field of a row (top level) or, in a summary, a dotted path into the result. */
const FieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "letters, digits and _ (a top-level field)");
const FieldPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$/, "a field or a dotted path (a.b)");

/** A title in both languages; YAML may give one string for both. */
export const BiTitle = z.preprocess(
  (v) => (typeof v === "string" ? { zh: v, en: v } : v),
  z.object({ zh: z.string().trim().min(1).max(60), en: z.string().trim().min(1).max(60) }).strict(),
);
export type BiTitle = z.output<typeof BiTitle>;

/** The kinds a column can have. */
export const COLUMN_KINDS = ["text", "number", "percent", "money", "date", "tags", "link", "sparkline"] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/** The colours a tag may take (antd's preset names). */
const TagColor = z.enum(["red", "volcano", "orange", "gold", "green", "cyan", "blue", "geekblue", "purple", "magenta", "default"]);

const ColumnBase = z
  .object({
    field: FieldPath,
    title: BiTitle,
    kind: z.enum(COLUMN_KINDS),
    /** number, percent, money: decimals shown (and in the CSV). */
    digits: z.number().int().min(0).max(8).optional(),
    /** percent: what the stored value is. */
    unit: z.enum(["fraction", "points"]).optional(),
    /** money: ISO 4217 code. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /** number, percent, money: red above zero and green below, as Chinese quotes are coloured. */
    signed: z.boolean().optional(),
    /** tags: value → colour; values not listed show grey, or not at all with `hide_others`. */
    colors: z.record(z.string().max(60), TagColor).optional(),
    /** tags: value → its words. */
    labels: z.record(z.string().max(60), BiTitle).optional(),
    hide_others: z.boolean().optional(),
    /** tags, sparkline over an array of objects: the field giving each item's value, and (tags) a label and a detail field shown with it. */
    item: z.object({ value: FieldName, label: FieldName.optional(), detail: FieldName.optional() }).strict().optional(),
    /** link: what the value (or each value of an array) identifies. */
    link: z.enum(["fund", "task", "run"]).optional(),
  })
  .strict();

/** One column (or summary field). */
export const ResultColumn = ColumnBase.superRefine((c, ctx) => {
  const only = (key: keyof typeof c, kinds: ColumnKind[]) => {
    if (c[key] !== undefined && !kinds.includes(c.kind))
      ctx.addIssue({ code: "custom", path: [key], message: `${key} is for ${kinds.join(", ")} columns` });
  };
  only("digits", ["number", "percent", "money"]);
  only("unit", ["percent"]);
  only("currency", ["money"]);
  only("signed", ["number", "percent", "money"]);
  only("colors", ["tags"]);
  only("labels", ["tags"]);
  only("hide_others", ["tags"]);
  only("item", ["tags", "sparkline"]);
  if (c.kind === "link" && !c.link)
    ctx.addIssue({ code: "custom", path: ["link"], message: "a link column says what it links to: fund, task or run" });
  if (c.kind !== "link" && c.link) ctx.addIssue({ code: "custom", path: ["link"], message: "link is for link columns" });
});
export type ResultColumn = z.output<typeof ResultColumn>;

/** A type's declared view: row columns (top-level fields only: they sort and filter in the database) and result fields. */
export const ResultView = z
  .object({
    columns: z.array(ResultColumn).max(40).default([]),
    /** Fields of a row the columns do not name are shown after them, as plain values. */
    more: z.boolean().default(false),
    /** The order the table opens in (a sortable column; without it, by key). */
    sort: z
      .object({ field: FieldName, order: z.enum(["asc", "desc"]).default("asc") })
      .strict()
      .optional(),
    summary: z.array(ResultColumn).max(40).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    const sortBy = v.sort && v.columns.find((c) => c.field === v.sort!.field);
    if (v.sort && (!sortBy || !sortable(sortBy)))
      ctx.addIssue({ code: "custom", path: ["sort", "field"], message: "sort names a number, percent, money, date, text or link column" });
    const seen = new Set<string>();
    v.columns.forEach((c, i) => {
      if (c.field.includes(".")) ctx.addIssue({ code: "custom", path: ["columns", i, "field"], message: "a row column names a top-level field" });
      if (seen.has(c.field)) ctx.addIssue({ code: "custom", path: ["columns", i, "field"], message: `${c.field} is declared twice` });
      seen.add(c.field);
    });
  });
export type ResultView = z.output<typeof ResultView>;
/** What a declaration may write (defaults filled in by ResultView.parse). */
export type ResultViewInput = z.input<typeof ResultView>;

/** Whether a column's values sort in the database (arrays do not). */
export function sortable(c: Pick<ResultColumn, "kind">): boolean {
  return c.kind !== "tags" && c.kind !== "sparkline";
}

/**
 * A filter on one column, as the results query carries it (`filter.<field>=<text>`):
 * - number, percent, money, date: `min..max` (either side may be empty), in the stored unit;
 * - tags: values separated by commas (a row matches when it has any of them);
 * - text, link: a piece of the value (case-insensitive).
 */
export type ColumnFilter =
  | { field: string; op: "range"; min: number | string | null; max: number | string | null; item?: undefined }
  | { field: string; op: "in"; values: string[]; item?: string }
  | { field: string; op: "contains"; text: string };

/** Parses one `filter.<field>` value against its column; a message when it does not fit. */
export function parseColumnFilter(c: Pick<ResultColumn, "field" | "kind" | "item">, text: string): ColumnFilter | string {
  const field = c.field;
  switch (c.kind) {
    case "number":
    case "percent":
    case "money":
    case "date": {
      const at = text.indexOf("..");
      if (at < 0) return `${field}: a range min..max`;
      const parts = [text.slice(0, at), text.slice(at + 2)];
      const one = (s: string): number | string | null | undefined => {
        if (s.trim() === "") return null;
        if (c.kind === "date") return /^\d{4}-\d{2}-\d{2}$/.test(s.trim()) ? s.trim() : undefined;
        const n = Number(s);
        return Number.isFinite(n) ? n : undefined;
      };
      const [min, max] = parts.map(one);
      if (min === undefined || max === undefined) return `${field}: ${c.kind === "date" ? "dates YYYY-MM-DD" : "numbers"} in min..max`;
      if (min === null && max === null) return `${field}: give min, max or both`;
      return { field, op: "range", min, max };
    }
    case "tags": {
      const values = text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (values.length === 0 || values.length > 50) return `${field}: one to 50 values separated by commas`;
      return { field, op: "in", values, item: c.item?.value };
    }
    case "text":
    case "link":
      if (text.trim() === "") return `${field}: text to look for`;
      return { field, op: "contains", text: text.trim().toLowerCase() };
    case "sparkline":
      return `${field}: a sparkline column cannot be filtered`;
  }
}

/** The value at a field or dotted path of a row's data or a result (undefined when absent). */
export function valueAt(data: unknown, path: string): unknown {
  let v: unknown = data;
  for (const part of path.split(".")) {
    if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** One tag of a tags cell: its value (what colours and filters it), its words in `lang`, and a detail figure. */
export interface TagItem {
  value: string;
  text: string;
  detail: string | null;
}

/** The tags a tags cell shows, in order (values `hide_others` leaves out are gone). */
export function tagItems(c: Pick<ResultColumn, "item" | "labels" | "colors" | "hide_others">, v: unknown, lang: "zh" | "en"): TagItem[] {
  if (v === null || v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  const word = (s: string) => c.labels?.[s]?.[lang] ?? s;
  const out: TagItem[] = [];
  for (const x of list) {
    const obj = c.item && x && typeof x === "object" ? (x as Record<string, unknown>) : null;
    const raw = obj ? obj[c.item!.value] : x;
    if (raw === null || raw === undefined) continue;
    const value = typeof raw === "object" ? JSON.stringify(raw) : String(raw);
    if (c.hide_others && !(c.colors && value in c.colors)) continue;
    const label = obj && c.item?.label ? obj[c.item.label] : null;
    const detail = obj && c.item?.detail ? obj[c.item.detail] : null;
    out.push({
      value,
      text: label !== null && label !== undefined ? `${word(String(label))} ${word(value)}` : word(value),
      detail: typeof detail === "number" ? String(Math.round(detail * 1e4) / 1e4) : detail === null || detail === undefined ? null : String(detail),
    });
  }
  return out;
}

/** The numbers of a sparkline cell (non-numbers skipped). */
export function sparkValues(c: Pick<ResultColumn, "item">, v: unknown): number[] {
  if (!Array.isArray(v)) return [];
  const out: number[] = [];
  for (const x of v) {
    const n = c.item && x && typeof x === "object" ? (x as Record<string, unknown>)[c.item.value] : x;
    if (typeof n === "number" && Number.isFinite(n)) out.push(n);
  }
  return out;
}

/** A number, percent or money value in the unit shown (percent: ×100 for a fraction), or null. */
export function shownNumber(c: Pick<ResultColumn, "kind" | "unit">, v: unknown): number | null {
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  return c.kind === "percent" && c.unit !== "points" ? v * 100 : v;
}

/** The decimals a number column shows: declared, or 2 for percent and money; a plain number keeps integers whole and gives others 4. */
export function digitsOf(c: Pick<ResultColumn, "kind" | "digits">, n: number): number {
  if (c.digits !== undefined) return c.digits;
  if (c.kind === "percent" || c.kind === "money") return 2;
  return Number.isInteger(n) ? 0 : 4;
}

const ResultSort = {
  sort: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
    .optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
};
/** `filter.<field>=<text>` keys: each checked against the task type's columns by the server (resultView.ts says the text). */
function onlyColumnFilters(v: Record<string, unknown>, ctx: z.RefinementCtx, known: string[]) {
  for (const k of Object.keys(v)) {
    if (known.includes(k)) continue;
    if (!/^filter\.[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k))
      ctx.addIssue({ code: "custom", path: [k], message: "unknown parameter (column filters: filter.<field>=<text>)" });
  }
}

/** `GET /api/tasks/{id}/results`: page-numbered, sorted by key or by a top-level data field, filtered by column. */
export const ResultsQuery = z
  .object({
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(50),
    ...ResultSort,
  })
  .catchall(z.string().max(1_000))
  .superRefine((v, ctx) => onlyColumnFilters(v, ctx, ["page", "page_size", "sort", "order"]));

/** `GET /api/tasks/{id}/results/download`: the rows the table shows (same sort and filters), headed in `lang`. */
export const ResultsCsvQuery = z
  .object({ ...ResultSort, lang: z.enum(["zh", "en"]).default("zh") })
  .catchall(z.string().max(1_000))
  .superRefine((v, ctx) => onlyColumnFilters(v, ctx, ["sort", "order", "lang"]));
