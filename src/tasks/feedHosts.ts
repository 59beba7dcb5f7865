/**
 * Which hosts the feed and NAV-source jobs may fetch: only those an admin declared. A payload
 * URL comes from whoever may enqueue (operators, schedules, imports), so without this list
 * any operator could make the worker reach any host the server can: cloud metadata, the
 * database, internal dashboards.
 *
 * Declared are (1) the patterns in QTASK_FEED_HOSTS, comma-separated:
 *   `data.example.com`        that host on the scheme's default port (80 for http, 443 for https)
 *   `data.example.com:8443`   that host on that port
 *   `data.example.com:*`      that host on any port
 *   `*.example.com[:port]`    any subdomain of example.com (not example.com itself)
 *   `[::1]:8080`              IPv6 addresses in brackets, as in URLs
 * and (2) the host and port of every feed URL set in the environment (QTASK_NAV_SOURCE_URL and
 * the other variables of needsFeedUrl()), since an admin set those too.
 * Hosts compare as the URL parser writes them (lower case, IPv4 in dotted form: `2130706433`
 * and `0x7f.1` are both 127.0.0.1), so spelling an address differently does not get around it.
 */
import { feedUrlEnvs } from "./feedUrl";

/** The environment the checks read (process.env, or a test's own). */
type Env = Readonly<Record<string, string | undefined>>;

interface HostPattern {
  /** A hostname, or `.suffix` for a `*.suffix` pattern. */
  host: string;
  /** "" for the scheme's default port, "*" for any, else the port number. */
  port: string;
}

/** The default ports an empty pattern port stands for. */
const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443" };

/** Parses one pattern; null when it is not one. */
function parsePattern(raw: string): HostPattern | null {
  const text = raw.trim().toLowerCase();
  const m = /^(\*\.)?(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\*|\d{1,5}))?$/.exec(text);
  if (!m) return null;
  const [, wildcard, name, port = ""] = m;
  // Normalise through the URL parser, so the pattern and the URL spell the host alike.
  let host: string;
  try {
    host = new URL(`http://${name}`).hostname;
  } catch {
    return null;
  }
  return { host: wildcard ? `.${host}` : host, port };
}

/** The patterns QTASK_FEED_HOSTS declares; throws naming the first entry that is not a pattern. */
export function parseFeedHosts(list: string): HostPattern[] {
  const out: HostPattern[] = [];
  for (const entry of list.split(",")) {
    if (!entry.trim()) continue;
    const p = parsePattern(entry);
    if (!p) throw new Error(`QTASK_FEED_HOSTS: "${entry.trim()}" is not a host, host:port or *.domain pattern`);
    out.push(p);
  }
  return out;
}

/** The host and port of each feed URL set in the environment. */
function envPatterns(env: Env): HostPattern[] {
  const out: HostPattern[] = [];
  for (const name of feedUrlEnvs()) {
    const value = env[name];
    if (!value) continue;
    try {
      const u = new URL(value);
      out.push({ host: u.hostname, port: u.port || DEFAULT_PORT[u.protocol] || "" });
    } catch {
      // An unparseable variable allows nothing; the job that reads it says so when it runs.
    }
  }
  return out;
}

function matches(p: HostPattern, url: URL): boolean {
  const port = url.port || DEFAULT_PORT[url.protocol] || "";
  const portOk = p.port === "*" || (p.port === "" ? url.port === "" : p.port === port);
  const hostOk = p.host.startsWith(".") ? url.hostname.endsWith(p.host) : url.hostname === p.host;
  return portOk && hostOk;
}

/**
 * Why `url` may not be fetched, or null when it may: an http(s) URL whose host (and port) an
 * admin declared. The reason names the host, never the path or query (which may hold a key).
 */
export function feedHostRefusal(url: URL, env: Env = process.env): string | null {
  if (url.protocol !== "http:" && url.protocol !== "https:") return `only http and https URLs may be fetched, not ${url.protocol}`;
  let declared: HostPattern[];
  try {
    declared = [...parseFeedHosts(env.QTASK_FEED_HOSTS ?? ""), ...envPatterns(env)];
  } catch (err) {
    return (err as Error).message;
  }
  if (declared.some((p) => matches(p, url))) return null;
  return `host ${url.host} is not allowed: an admin must add it to QTASK_FEED_HOSTS`;
}
