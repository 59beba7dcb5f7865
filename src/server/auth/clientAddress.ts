/**
 * Who is calling: the client's address behind the proxies an admin declared trusted
 * (QTASK_TRUSTED_PROXIES: addresses or CIDRs, comma-separated, as Express's `trust proxy`),
 * and otherwise the socket's. The web server (scripts/web.ts) works it out for every request
 * from the socket and X-Forwarded-For, drops every forwarding header a peer it does not trust
 * sent (so Next.js and the route handlers see only what the socket says), and hands the address
 * on in a header stamped with a secret of the process, which no client can know or set.
 *
 *   QTASK_TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8   # a reverse proxy on this host and the LAN
 */
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

/** The header the web server passes the client's address in (after its process secret). */
export const CLIENT_ADDRESS_HEADER = "x-qtask-client-address";

/** Headers by which a client would say where a request came from; kept only from trusted proxies. */
const FORWARDING = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

const g = globalThis as unknown as { __qtaskClientSecret?: string };

/** Says whether an address is a trusted proxy (`i`: its hop, 0 = the socket's peer). */
export type Trust = (addr: string, i: number) => boolean;

/**
 * The trust of QTASK_TRUSTED_PROXIES (empty: no proxy is trusted, the socket's address is the
 * client's). Throws with the offending entry when one is not an address or a CIDR.
 */
export function trustFrom(spec: string | undefined, name = "QTASK_TRUSTED_PROXIES"): Trust {
  const list = (spec ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    return proxyaddr.compile(list);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

/**
 * Prepares a request before Next.js sees it: the client's address (the nearest hop that is
 * not a trusted proxy) goes into CLIENT_ADDRESS_HEADER after `secret`, and a peer that is not
 * trusted loses every forwarding header it sent (Next.js then sets its own from the socket).
 */
export function stampClientAddress(req: IncomingMessage, trust: Trust, secret: string): void {
  const peer = req.socket.remoteAddress ?? "";
  const client = proxyaddr(req, trust);
  if (!trust(peer, 0)) for (const h of FORWARDING) delete req.headers[h];
  req.headers[CLIENT_ADDRESS_HEADER] = `${secret} ${client}`;
}

/** Makes `secret` the one the route handlers of this process accept (the web server calls it once). */
export function setClientAddressSecret(secret: string): void {
  g.__qtaskClientSecret = secret;
}

/**
 * The client's address as the web server stamped it, or "unknown" when the request did not
 * come through it (route handlers called directly, `next dev`): never a header a client set.
 */
export function clientAddressOf(headers: Headers): string {
  const secret = g.__qtaskClientSecret;
  const value = headers.get(CLIENT_ADDRESS_HEADER);
  if (!secret || !value?.startsWith(`${secret} `)) return "unknown";
  return value.slice(secret.length + 1, secret.length + 101) || "unknown";
}
