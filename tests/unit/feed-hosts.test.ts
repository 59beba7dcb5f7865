/** The feed host allow-list (src/tasks/feedHosts.ts) and the one URL redaction (src/queue/redact.ts). */
import { describe, expect, it } from "vitest";
import { redactUrl, redactUrls } from "@/queue/redact";
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

describe("URL redaction", () => {
  it("masks user-info and every query value, keeping scheme, host, port and path", () => {
    expect(redactUrl("https://u:p@feeds.example.com:8443/v1/q?api_key=abc&date=2024-01-02#x")).toBe(
      "https://***@feeds.example.com:8443/v1/q?api_key=***&date=***",
    );
    expect(redactUrl("http://h/p?token")).toBe("http://h/p?token=***");
    expect(redactUrl("http://h/p")).toBe("http://h/p");
    expect(redactUrl("http://user@h/p?")).toBe("http://***@h/p");
    expect(redactUrl("not a url?key=1")).toBe("not a url?***");
  });

  it("redacts every URL inside a text, in JSON too, leaving the rest as it was", () => {
    expect(redactUrls("GET https://h/x?k=SECRET: HTTP 503; retrying")).toBe("GET https://h/x?k=***: HTTP 503; retrying");
    expect(redactUrls('{"url":"http://a:b@h/x?k=SECRET","n":1}')).toBe('{"url":"http://***@h/x?k=***","n":1}');
    expect(redactUrls("see http://h/x?k=SECRET.")).toBe("see http://h/x?k=***.");
    expect(redactUrls("two: http://a/?k=1 and HTTPS://b/?k=2")).toBe("two: http://a/?k=*** and https://b/?k=***");
    const plain = "no address here";
    expect(redactUrls(plain)).toBe(plain);
  });
});
