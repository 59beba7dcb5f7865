/**
 * Task types that read an external feed take its URL from an environment variable (a payload
 * `url` overrides it). Without either, the type is unavailable: its schedules are loaded
 * disabled and say why (see unavailable() in src/queue/registry.ts) instead of failing every run.
 * The variables named here are also what the host allow-list counts as declared by an admin
 * (src/tasks/feedHosts.ts).
 */

const envs = new Set<string>();

/** The environment variables that hold feed URLs (every one a task type named through needsFeedUrl). */
export function feedUrlEnvs(): ReadonlySet<string> {
  return envs;
}

/** The unavailable() of a type whose feed URL comes from `env` or the payload's `url`. */
export function needsFeedUrl(env: string) {
  envs.add(env);
  return (payload: unknown): string | null => {
    const p = (payload && typeof payload === "object" ? payload : {}) as Record<string, unknown>;
    if (typeof p.url === "string" && p.url) return null;
    if (process.env[env]) return null;
    return `no feed URL configured: set ${env} (or give payload.url)`;
  };
}
