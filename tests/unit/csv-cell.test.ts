/** CSV cells a spreadsheet will not evaluate (src/server/csvCell.ts). */
import { describe, expect, it } from "vitest";
import { csvSafe } from "@/server/csvCell";

describe("csvSafe", () => {
  it("prefixes a cell that could start a formula with a quote", () => {
    for (const f of ["=1+2", '=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "+"])
      expect(csvSafe(f)).toBe(`'${f}`);
  });

  it("leaves plain numbers and other text alone", () => {
    for (const v of ["-1.25", "+3", "-.5", "1e-5", "-2.5E+3", "000001", "平安银行", "a=b", "", "1,2"]) expect(csvSafe(v)).toBe(v);
  });
});
