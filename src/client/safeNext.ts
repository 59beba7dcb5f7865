/**
 * Where the browser goes after signing in: the `next` path it came with, but only a path on
 * this very site. Browsers strip tabs and newlines from URLs, so `/\t/evil.example` would
 * become `//evil.example` (another site) after any check that reads it as written: the path is
 * resolved the way the browser will resolve it, against this origin, and refused unless it
 * stays here; control characters are refused outright.
 */

/** The same-origin path of `next` (with its query and fragment), or /tasks. */
export function safeNext(next: string | null, origin: string): string {
  const fallback = "/tasks";
  if (!next || !next.startsWith("/") || /[\u0000-\u001f\u007f]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  return url.origin === new URL(origin).origin ? `${url.pathname}${url.search}${url.hash}` : fallback;
}
