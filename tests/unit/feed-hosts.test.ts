/** The feed host allow-list (src/tasks/feedHosts.ts). */
import { describe, expect, it } from "vitest";
import { feedHostRefusal, parseFeedHosts } from "@/tasks/feedHosts";
import "@/tasks"; // registers the feed URL variables

const allowed = (url: string, env: Record<string, string>) => feedHostRefusal(new URL(url), env) === null;

describe("feed hosts", () => {
  it("allows nothing by default", () => {
    expect(feedHostRefusal(new URL("http://127.0.0.1/"), {})).toBe("host 127.0.0.1 is not allowed: an admin must add it to QTASK_FEED_HOSTS");
    expect(allowed("http://169.254.169.254/latest/meta-data", {})).toBe(false);
  });

  it("matches a bare host on the default port only, host:port exactly, host:* on any port", () => {
    const env = { QTASK_FEED_HOSTS: "data.example.com, api.example.com:8443, dev.example.com:*" };
    expect(allowed("https://data.example.com/q", env)).toBe(true);
    expect(allowed("http://data.example.com/q", env)).toBe(true);
    expect(allowed("https://data.example.com:443/q", env)).toBe(true); // the parser drops a default port
    expect(allowed("https://data.example.com:8080/q", env)).toBe(false);
    expect(allowed("https://api.example.com:8443/q", env)).toBe(true);
    expect(allowed("https://api.example.com/q", env)).toBe(false);
    expect(allowed("http://dev.example.com:6379/", env)).toBe(true);
    expect(allowed("https://evil.com/?data.example.com", env)).toBe(false);
    expect(allowed("https://data.example.com.evil.com/", env)).toBe(false);
  });

  it("matches *.domain on subdomains, not the domain itself, nor a name that merely ends alike", () => {
    const env = { QTASK_FEED_HOSTS: "*.example.com" };
    expect(allowed("https://a.example.com/", env)).toBe(true);
    expect(allowed("https://a.b.example.com/", env)).toBe(true);
    expect(allowed("https://example.com/", env)).toBe(false);
    expect(allowed("https://badexample.com/", env)).toBe(false);
  });

  it("compares addresses as the URL parser writes them, IPv6 in brackets", () => {
    const env = { QTASK_FEED_HOSTS: "127.0.0.1:8080,[::1]:9000" };
    expect(allowed("http://2130706433:8080/", env)).toBe(true); // = 127.0.0.1
    expect(allowed("http://0x7f.1:8080/", env)).toBe(true);
    expect(allowed("http://2130706433/", env)).toBe(false);
    expect(allowed("http://[::1]:9000/", env)).toBe(true);
    expect(allowed("http://[0:0:0:0:0:0:0:1]:9000/", env)).toBe(true);
    expect(allowed("http://localhost:8080/", env)).toBe(false); // a name is not its address
  });

  it("counts the hosts of the feed URLs an admin set in the environment", () => {
    const env = { QTASK_QUOTES_URL: "https://quotes.example.com/v1?api_key=x", QTASK_NAV_SOURCE_URL: "http://nav.internal:8000/{code}.json" };
    expect(allowed("https://quotes.example.com/other", env)).toBe(true);
    expect(allowed("http://quotes.example.com/other", env)).toBe(false); // port 80, not 443
    expect(allowed("http://nav.internal:8000/x", env)).toBe(true);
    expect(allowed("http://nav.internal:8001/x", env)).toBe(false);
    expect(allowed("http://other.example.com/", { ...env, SOME_OTHER_URL: "http://other.example.com/" })).toBe(false);
  });

  it("refuses other schemes, and says which entry of a bad list is wrong", () => {
    expect(feedHostRefusal(new URL("file:///etc/passwd"), { QTASK_FEED_HOSTS: "localhost" })).toMatch(/only http and https/);
    expect(() => parseFeedHosts("ok.example.com, http://x.com/")).toThrow('"http://x.com/" is not a host, host:port or *.domain pattern');
    expect(feedHostRefusal(new URL("http://ok.example.com/"), { QTASK_FEED_HOSTS: "ok.example.com,bad host" })).toMatch(/"bad host"/);
  });
});
