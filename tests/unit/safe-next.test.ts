/** After sign-in the browser only follows a path on this site (src/client/safeNext.ts). */
import { describe, expect, it } from "vitest";
import { safeNext } from "@/client/safeNext";

const here = "http://127.0.0.1:3000";

describe("safeNext", () => {
  it("keeps a path on this site, with its query and fragment", () => {
    expect(safeNext("/tasks/runs/12?x=1#L3", here)).toBe("/tasks/runs/12?x=1#L3");
    expect(safeNext("/schedules", here)).toBe("/schedules");
  });

  it("refuses every way to another site, control characters above all", () => {
    for (const bad of [
      "/\t/localhost:8999/phish", // the review's: the browser strips the tab
      "/\n/evil.example",
      "/\r\n/evil.example",
      "//evil.example/x",
      "/\\evil.example",
      "/\\/evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "evil.example",
      "",
      null,
    ])
      expect(safeNext(bad, here), JSON.stringify(bad)).toBe("/tasks");
  });
});
