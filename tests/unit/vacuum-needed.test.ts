/** When the worker vacuums the engine's tables itself (src/queue/sql/maintenance.ts needsVacuum). */
import { describe, expect, it } from "vitest";
import { needsVacuum, VACUUM_MIN_DEAD, type TableBloat } from "@/queue/sql/maintenance";

const table = (t: Partial<TableBloat>): TableBloat => ({ name: "tasks", dead: 0, live: 0, autovacuum: true, autoAt: 50, ...t });

describe("needsVacuum", () => {
  it("never below VACUUM_MIN_DEAD dead rows, whatever autovacuum does", () => {
    expect(needsVacuum(table({ dead: VACUUM_MIN_DEAD - 1, autovacuum: false }))).toBe(false);
    expect(needsVacuum(table({ dead: VACUUM_MIN_DEAD - 1, autoAt: 0 }))).toBe(false);
  });
  it("when autovacuum is off for the table", () => {
    expect(needsVacuum(table({ dead: VACUUM_MIN_DEAD, autovacuum: false }))).toBe(true);
  });
  it("with autovacuum on, only when it is twice past its own trigger", () => {
    expect(needsVacuum(table({ dead: 30_000, live: 100_000, autoAt: 20_050 }))).toBe(false);
    expect(needsVacuum(table({ dead: 40_101, live: 100_000, autoAt: 20_050 }))).toBe(true);
  });
});
