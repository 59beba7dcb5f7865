/** Real worker processes for integration tests. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { workerArgs, workerStarted } from "../../../scripts/lib/workers";

export interface WorkerProcess {
  proc: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Sends a signal and waits for the exit; resolves with the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

const root = path.resolve(import.meta.dirname, "../../..");

/** Starts `scripts/worker.ts` against `url` and waits for its "started" line. */
export async function startWorker(url: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, workerArgs(), {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, QTASK_LEASE_MS: "3000", QTASK_HEARTBEAT_MS: "500", QTASK_RESCUE_MS: "500", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string | null>((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig)));
  await workerStarted(proc, 30_000, () => out);
  return {
    proc,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
