/** Who is calling (src/server/auth/clientAddress.ts): trusted proxies only, as Express's `trust proxy`. */
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddressOf, setClientAddressSecret, stampClientAddress, trustFrom } from "@/server/auth/clientAddress";

const request = (peer: string, headers: Record<string, string>) =>
  ({ socket: { remoteAddress: peer }, headers: { ...headers } }) as unknown as IncomingMessage;
const SECRET = "s3cret";

function stamped(peer: string, headers: Record<string, string>, trusted?: string) {
  const req = request(peer, headers);
  stampClientAddress(req, trustFrom(trusted), SECRET);
  return req;
}

describe("client address", () => {
  it("ignores X-Forwarded-For from a peer that is not a trusted proxy, and drops its forwarding headers", () => {
    const req = stamped("198.51.100.20", { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9", "x-forwarded-proto": "https" });
    expect(req.headers[CLIENT_ADDRESS_HEADER]).toBe(`${SECRET} 198.51.100.20`);
    expect(req.headers["x-forwarded-for"]).toBeUndefined();
    expect(req.headers["x-forwarded-proto"]).toBeUndefined();
    expect(req.headers["x-real-ip"]).toBeUndefined();
  });

  it("behind trusted proxies takes the nearest hop that is not one of them", () => {
    expect(stamped("127.0.0.1", { "x-forwarded-for": "198.51.100.7" }, "127.0.0.1").headers[CLIENT_ADDRESS_HEADER]).toBe(`${SECRET} 198.51.100.7`);
    // A client's own X-Forwarded-For entries before the proxies' are not believed.
    const chain = stamped("127.0.0.1", { "x-forwarded-for": "203.0.113.9, 198.51.100.7, 10.1.2.3" }, "127.0.0.1, 10.0.0.0/8");
    expect(chain.headers[CLIENT_ADDRESS_HEADER]).toBe(`${SECRET} 198.51.100.7`);
    expect(chain.headers["x-forwarded-for"]).toBe("203.0.113.9, 198.51.100.7, 10.1.2.3"); // kept: the peer is trusted
  });

  it("accepts the address only with the process's secret", () => {
    setClientAddressSecret(SECRET);
    expect(clientAddressOf(new Headers({ [CLIENT_ADDRESS_HEADER]: `${SECRET} 198.51.100.7` }))).toBe("198.51.100.7");
    expect(clientAddressOf(new Headers({ [CLIENT_ADDRESS_HEADER]: "guess 198.51.100.7" }))).toBe("unknown");
    expect(clientAddressOf(new Headers({ "x-forwarded-for": "198.51.100.7" }))).toBe("unknown");
  });

  it("refuses a trusted-proxy setting that is not an address or a CIDR", () => {
    expect(() => trustFrom("10.0.0.0/8, proxy.example")).toThrow(/QTASK_TRUSTED_PROXIES/);
    expect(trustFrom("")("127.0.0.1", 0)).toBe(false);
  });
});
