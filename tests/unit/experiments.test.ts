/**
 * The README's upper bound for issue 26 ("What the concurrency-50 goals would take") is
 * measured with bench/experiments/no-run-rows.patch applied to a copy of the engine. The
 * figure can only be measured again while the patch still applies to the engine as it is.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

describe("bench/experiments", () => {
  it("no-run-rows.patch applies to the engine as it is, and touches only the claim and the close", () => {
    // --check applies nothing; --numstat lists what the patch touches.
    const files = execFileSync("git", ["apply", "--check", "--numstat", "bench/experiments/no-run-rows.patch"], { cwd: root, encoding: "utf8" })
      .trim()
      .split("\n")
      .map((l) => l.split("\t")[2]);
    expect(files).toEqual(["src/queue/sql/claim.ts", "src/queue/sql/closeRun.ts"]);
  });
});
