/**
 * Address allow lists for callers that cannot sign in (a Prometheus scraper): the addresses or
 * CIDRs of an environment variable, matched with proxy-addr as QTASK_TRUSTED_PROXIES is (an
 * IPv4-mapped IPv6 address matches its IPv4 entry), against the client address the web server
 * stamped — never a header the client set.
 */
import { isIP } from "node:net";
import proxyaddr from "proxy-addr";

/** Parses "127.0.0.1, 10.0.0.0/8, ::1" into a check of a client address; throws naming `name` on a malformed entry. */
export function allowListOf(spec: string | undefined, name = "allow list"): (ip: string) => boolean {
  const list = (spec ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  let check: (addr: string, i: number) => boolean;
  try {
    check = proxyaddr.compile(list);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
  return (ip) => {
    try {
      return isIP(ip) !== 0 && check(ip, 0);
    } catch {
      return false;
    }
  };
}

const compiled = new Map<string, { spec: string | undefined; allowed: (ip: string) => boolean }>();

/** Whether `ip` is on the list in environment variable `env` (re-read when the variable changes). */
export function addressAllowed(env: string, ip: string): boolean {
  const spec = process.env[env];
  let c = compiled.get(env);
  if (!c || c.spec !== spec) compiled.set(env, (c = { spec, allowed: allowListOf(spec, env) }));
  return c.allowed(ip);
}
