/**
 * The web server: Next.js (the production build) behind a small Node HTTP server of ours, which
 * the launcher (scripts/start.ts) runs instead of `next start`. Before Next.js sees a request it
 *   - works out the client's address: the socket's, or behind QTASK_TRUSTED_PROXIES the nearest
 *     hop that is not one of them, and drops the forwarding headers of an untrusted peer, so a
 *     client cannot choose the address that rate limits and the audit log record
 *     (src/server/auth/clientAddress.ts);
 *   - answers a path that is not valid percent-encoding with 400 (Next.js would answer 500).
 *
 *   PORT=3000 HOST=127.0.0.1 node --import tsx scripts/web.ts
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { setClientAddressSecret, stampClientAddress, trustFrom } from "../src/server/auth/clientAddress";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const trust = trustFrom(process.env.QTASK_TRUSTED_PROXIES);
const secret = randomBytes(18).toString("base64url");
setClientAddressSecret(secret);

const app = next({ dev: false, dir: root, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

/** Whether the request's path decodes (Next.js answers 500 to one that does not). */
function pathDecodes(url: string | undefined): boolean {
  try {
    decodeURIComponent((url ?? "/").split("?")[0]);
    return true;
  } catch {
    return false;
  }
}

const server = createServer((req, res) => {
  if (!pathDecodes(req.url)) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "invalid_input", message: "the request path is not valid percent-encoding" } }));
    return;
  }
  stampClientAddress(req, trust, secret);
  void handle(req, res);
});
server.listen(port, host, () =>
  console.log(
    `ready on http://${host}:${port}${process.env.QTASK_TRUSTED_PROXIES ? ` (trusted proxies: ${process.env.QTASK_TRUSTED_PROXIES})` : ""}`,
  ),
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // Open keep-alive connections would hold close() up: end them.
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
