/** Describing a CSV parse error without quoting the text: the text may be a remote feed's body, shown to every viewer. */

/** " (CSV_INVALID_CLOSING_QUOTE at line 3)" from a csv-parse error, or "" when it carries neither. */
export function csvWhere(err: unknown): string {
  const e = err as { code?: unknown; lines?: unknown };
  const code = typeof e.code === "string" && /^CSV_[A-Z_]+$/.test(e.code) ? e.code : null;
  const line = typeof e.lines === "number" ? e.lines : null;
  if (!code && !line) return "";
  return ` (${[code, line && `at line ${line}`].filter(Boolean).join(" ")})`;
}
