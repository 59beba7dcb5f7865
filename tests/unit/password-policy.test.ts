/** Which new passwords are refused (src/server/auth/passwordPolicy.ts). */
import { describe, expect, it } from "vitest";
import { commonPasswordCount, passwordProblem } from "@/server/auth/passwordPolicy";

describe("password policy", () => {
  it("refuses the common list whatever the case", () => {
    expect(commonPasswordCount()).toBe(49_233);
    for (const p of ["password123", "PASSWORD123", "qwertyuiop", "1q2w3e4r5t", "basketball", "iloveyou12"])
      expect(passwordProblem(p, "alice")).toMatch(/commonly used/);
  });

  it("refuses the username, whatever the case", () => {
    expect(passwordProblem("Sec_Viewer.01", "sec_viewer.01")).toMatch(/must not be the username/);
  });

  it("refuses repeated and sequential characters, in any length", () => {
    for (const p of ["aaaaaaaaaa", "ababababab", "aabbccaabbcc", "zzzzzzzzzzzzzzzz"])
      expect(passwordProblem(p, "alice")).toMatch(/too few characters/);
    for (const p of ["abcdefghijk", "9876543210z".slice(0, 10), "mnopqrstuvw", "LMNOPQRSTUV"])
      expect(passwordProblem(p, "alice")).toMatch(/sequence/);
  });

  it("lets other passwords through", () => {
    for (const p of ["correct horse battery", "pw-alice-secret", "e2e-admin-password", "0123456789x", "净值同步-2026"])
      expect(passwordProblem(p, "alice")).toBeNull();
  });
});
