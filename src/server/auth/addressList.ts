/**
 * Address allow lists for callers that cannot sign in (a Prometheus scraper): the addresses or
 * CIDRs of an environment variable, parsed as QTASK_TRUSTED_PROXIES is (trustFrom: an
 * IPv4-mapped IPv6 address matches its IPv4 entry), against the client address the web server
 * stamped — never a header the client set.
 */
import { isIP } from "node:net";
import { trustFrom } from "./clientAddress";

const compiled = new Map<string, { spec: string | undefined; allowed: (ip: string) => boolean }>();

/** Whether `ip` is on the list in environment variable `env` (re-read when the variable changes). */
export function addressAllowed(env: string, ip: string): boolean {
  const spec = process.env[env];
  let c = compiled.get(env);
  if (!c || c.spec !== spec) {
    const trust = trustFrom(spec, env);
    compiled.set(env, (c = { spec, allowed: (addr) => isIP(addr) !== 0 && trust(addr, 0) }));
  }
  return c.allowed(ip);
}
