import { describe, expect, it } from "vitest";
import { EMPTY_LOG, mergeLogPage } from "@/client/hooks/useRunLogs";
import type { LogLineJson } from "@/contracts/runs";

const line = (seq: number): LogLineJson => ({ seq, ts: "2026-11-22T00:00:00.000Z", level: "info", message: `line ${seq}`, data: null });
const page = (seqs: number[], finished = false) => ({
  items: seqs.map(line),
  next_after_seq: seqs.length ? seqs[seqs.length - 1] : 0,
  run_finished: finished,
});

describe("incremental log merge", () => {
  it("appends new lines and asks for more after the last one", () => {
    const a = mergeLogPage(EMPTY_LOG, page([1, 2, 3]), 1000);
    expect(a.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(a.nextAfterSeq).toBe(3);
    const b = mergeLogPage(a, page([4, 5]), 1000);
    expect(b.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(b.nextAfterSeq).toBe(5);
  });

  it("never duplicates a line when pages overlap", () => {
    const a = mergeLogPage(EMPTY_LOG, page([1, 2, 3]), 1000);
    const b = mergeLogPage(a, page([2, 3, 4]), 1000);
    expect(b.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
  });

  it("keeps the same state object's lines when nothing new came (no re-render churn)", () => {
    const a = mergeLogPage(EMPTY_LOG, page([1]), 1000);
    const b = mergeLogPage(a, { items: [], next_after_seq: 1, run_finished: false }, 1000);
    expect(b.lines).toBe(a.lines);
  });

  it("is complete only when the run finished and the page was not full", () => {
    expect(mergeLogPage(EMPTY_LOG, page([1, 2], true), 2)).toMatchObject({ complete: false, more: true });
    expect(mergeLogPage(EMPTY_LOG, page([1], true), 2)).toMatchObject({ complete: true, more: false });
    expect(mergeLogPage(EMPTY_LOG, page([1], false), 2)).toMatchObject({ complete: false, more: false });
  });

  it("drops the oldest lines past the cap and counts them", () => {
    const a = mergeLogPage(EMPTY_LOG, page([1, 2, 3, 4]), 1000, 3);
    expect(a.lines.map((l) => l.seq)).toEqual([2, 3, 4]);
    expect(a.dropped).toBe(1);
    const b = mergeLogPage(a, page([5, 6]), 1000, 3);
    expect(b.lines.map((l) => l.seq)).toEqual([4, 5, 6]);
    expect(b.dropped).toBe(3);
  });
});
