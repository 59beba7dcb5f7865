/**
 * Feed configuration: task types that read an external feed declare the environment variable
 * holding its URL (`feedEnv`); a payload `url` overrides it. A schedule whose feed has no URL
 * is shipped disabled and says why, instead of failing every run.
 */
import type { Registry } from "./registry";

/** Why a task of `type` with `payload` has no feed URL (a group: the first such child), or null. */
export function feedProblem(registry: Registry, type: string, payload: unknown, env: NodeJS.ProcessEnv = process.env): string | null {
  const p = (payload && typeof payload === "object" ? payload : {}) as Record<string, unknown>;
  if (type === "group" && Array.isArray(p.tasks)) {
    for (const child of p.tasks as { type?: unknown; payload?: unknown }[]) {
      const problem = typeof child?.type === "string" ? feedProblem(registry, child.type, child.payload ?? {}, env) : null;
      if (problem) return `${child.type}: ${problem}`;
    }
    return null;
  }
  const def = registry.get(type);
  if (!def?.feedEnv) return null;
  // fund_nav_sync also imports files from the import folder: only its HTTP source needs a URL.
  if (typeof p.source === "string" && p.source !== "http") return null;
  if (typeof p.url === "string" && p.url) return null;
  if (env[def.feedEnv]) return null;
  return `no feed URL configured: set ${def.feedEnv} (or give payload.url)`;
}
