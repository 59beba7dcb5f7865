/** What people read is redacted (src/queue/redact.ts): URLs' secrets, and where the project is installed. */
import { describe, expect, it } from "vitest";
import { projectRelative, redactUrl, redactUrls } from "@/queue/redact";

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

describe("project-relative paths", () => {
  it("takes the project's directory out of paths and file URLs, and nothing else", () => {
    const stack =
      "Error: x\n    at run (/srv/qtask/src/tasks/a.ts:3:9)\n    at file:///srv/qtask/node_modules/p/i.js:1:1\n    at node:internal/x:1:1";
    expect(projectRelative(stack, "/srv/qtask")).toBe(
      "Error: x\n    at run (src/tasks/a.ts:3:9)\n    at node_modules/p/i.js:1:1\n    at node:internal/x:1:1",
    );
    expect(projectRelative("/srv/qtask2/x.ts", "/srv/qtask")).toBe("/srv/qtask2/x.ts");
  });
});
