/**
 * Worker processes for the test suite and the benchmark: `scripts/worker.ts` run by Node with
 * tsx, and the wait for its "started:" line (it prints it once it is registered and claiming).
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The arguments to Node that run the worker script. */
export function workerArgs(): string[] {
  return ["--import", "tsx", path.join(root, "scripts", "worker.ts")];
}

/**
 * Resolves with Date.now() when the worker prints its "started:" line; rejects (with what it
 * printed) when it exits first or `timeoutMs` passes.
 */
export function workerStarted(proc: ChildProcess, timeoutMs: number, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const done = (fn: () => void) => {
      clearTimeout(timer);
      proc.stdout?.off("data", onData);
      proc.off("exit", onExit);
      fn();
    };
    const onData = (b: Buffer) => {
      // Kept across chunks: the line may arrive split.
      seen = (seen + b.toString()).slice(-4096);
      if (seen.includes("started:")) done(() => resolve(Date.now()));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(() => reject(new Error(`worker exited (${code ?? signal}) before starting:\n${output()}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`worker did not start within ${timeoutMs / 1000} s:\n${output()}`))), timeoutMs);
    proc.stdout?.on("data", onData);
    proc.on("exit", onExit);
  });
}
