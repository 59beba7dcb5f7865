import { describe, expect, it } from "vitest";
import { RunAbort, RunAborted, abortKind } from "@/worker/abort";

describe("RunAbort", () => {
  it("behaves as an AbortSignal for a handler that listens before the abort", () => {
    const run = new RunAbort();
    const signal = run.signal;
    expect(run.signal).toBe(signal);
    const seen: string[] = [];
    signal.addEventListener("abort", () => seen.push(`handler: ${(signal.reason as Error).message}`));
    run.onAbort(() => seen.push("worker"));
    run.abort(new RunAborted("timeout", "timed out after 5 ms"));
    expect(signal.aborted).toBe(true);
    expect(seen).toEqual(["handler: timed out after 5 ms", "worker"]);
    expect(() => signal.throwIfAborted()).toThrow("timed out after 5 ms");
    expect(() => run.throwIfAborted()).toThrow("timed out after 5 ms");
    expect(abortKind(run)).toBe("timeout");
  });

  it("hands a signal asked for after the abort already aborted, with the first reason", () => {
    const run = new RunAbort();
    run.abort(new RunAborted("cancel", "cancelled by request"));
    run.abort(new RunAborted("shutdown", "worker shutting down"));
    expect(run.signal.aborted).toBe(true);
    expect((run.signal.reason as RunAborted).kind).toBe("cancel");
    expect(abortKind(run.signal)).toBe("cancel");
  });

  it("calls onAbort listeners once, at once when already aborted, and not after their removal", () => {
    const run = new RunAbort();
    let kept = 0;
    let removed = 0;
    run.onAbort(() => kept++);
    const remove = run.onAbort(() => removed++);
    remove();
    expect(abortKind(run)).toBeNull();
    run.abort(new RunAborted("lease_lost", "the run lost its lease"));
    run.abort(new RunAborted("cancel", "again"));
    expect([kept, removed]).toEqual([1, 0]);
    let late = 0;
    run.onAbort(() => late++);
    expect(late).toBe(1);
  });
});
