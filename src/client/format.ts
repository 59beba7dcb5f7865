/** Display helpers shared by pages. */

/** A timestamp in the viewer's locale (Chinese by default), or "—". */
export function formatTime(iso: string | null | undefined, lang: "zh" | "en" = "zh"): string {
  return iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) : "—";
}

/** A duration: "850 ms", "12.3 s", "4 m 05 s", "2 h 03 m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} m`;
}

/**
 * Seconds left for a running task, from its progress and how long it has run so far
 * (null when there is not enough to go on).
 */
export function etaSeconds(progress: number, startedAt: string | null, now = Date.now()): number | null {
  if (!startedAt || progress <= 0 || progress >= 100) return null;
  const elapsed = (now - new Date(startedAt).getTime()) / 1000;
  if (elapsed <= 0) return null;
  return Math.round((elapsed * (100 - progress)) / progress);
}

/** Pretty JSON for display (as text, never HTML). */
export function prettyJson(v: unknown): string {
  return v === undefined ? "" : JSON.stringify(v, null, 2);
}
