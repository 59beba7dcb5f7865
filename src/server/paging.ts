/** Keyset pagination: fetch limit + 1 rows; the extra row only says whether there is a next page. */

/** Turns limit + 1 rows into `{items, next_cursor}` (the cursor is the last item's id). */
export function cursorPage<R extends { id: number }, J>(rows: R[], limit: number, toJson: (r: R) => J): { items: J[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(toJson), next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null };
}
