/**
 * Task types that read an external feed take its URL from an environment variable (a payload
 * `url` overrides it). Without either, the type is unavailable: its schedules are loaded
 * disabled and say why (see unavailable() in src/queue/registry.ts) instead of failing every run.
 */

/** The unavailable() of a type whose feed URL comes from `env` or the payload's `url`. */
export function needsFeedUrl(env: string) {
  return (payload: unknown): string | null => {
    const p = (payload && typeof payload === "object" ? payload : {}) as Record<string, unknown>;
    if (typeof p.url === "string" && p.url) return null;
    if (process.env[env]) return null;
    return `no feed URL configured: set ${env} (or give payload.url)`;
  };
}
