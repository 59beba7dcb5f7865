/**
 * Child processes of the benchmark (workers, the launcher with its web server) and the clean-up
 * that always runs: every child is started in its own process group, so stopping it stops its
 * whole tree (the launcher's `next start` too); on Ctrl-C, SIGTERM or an error the children are
 * stopped and the clean-up hooks (dropping databases, removing files) run before exiting, and a
 * synchronous SIGKILL of every group is the last resort when the process exits any other way.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { workerArgs, workerStarted } from "../../scripts/lib/workers";
import { say } from "./log";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines it printed (stdout and stderr). */
  tail(): string;
  exited: Promise<number | string | null>;
  alive(): boolean;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<Child>();
const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

let interruptedBy: NodeJS.Signals | null = null;

/** The signal that interrupted the benchmark, if one did (nothing new is started after it). */
export function interrupted(): NodeJS.Signals | null {
  return interruptedBy;
}

/** Throws when the benchmark is being interrupted, so that no phase starts anything new. */
export function checkNotInterrupted(): void {
  if (interruptedBy) throw new Error(`interrupted (${interruptedBy})`);
}

/** Starts a child in its own process group; `onLine` sees each line it prints. */
export function spawnChild(name: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string, at: number) => void): Child {
  checkNotInterrupted();
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const lines: string[] = [];
  for (const stream of [proc.stdout, proc.stderr]) {
    let rest = "";
    stream?.on("data", (buf: Buffer) => {
      const at = Date.now();
      const parts = (rest + buf.toString()).split("\n");
      rest = parts.pop() ?? "";
      for (const l of parts) {
        lines.push(l);
        if (lines.length > 300) lines.shift();
        onLine?.(l, at);
      }
    });
  }
  const exited = new Promise<number | string | null>((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig)));
  const child: Child = {
    name,
    proc,
    pid: proc.pid as number,
    tail: () => lines.slice(-60).join("\n"),
    exited,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    async stop(graceMs = 20_000) {
      if (child.alive()) {
        killGroup(child.pid, "SIGTERM");
        const t = setTimeout(() => killGroup(child.pid, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(t);
      }
      // Whatever else is left in its group (e.g. the web server of a launcher that exited first).
      killGroup(child.pid, "SIGKILL");
      children.delete(child);
    },
  };
  void exited.then(() => undefined);
  children.add(child);
  return child;
}

/** Registers a clean-up step (run last-in first-out at the end or on interruption). */
export function onCleanup(name: string, fn: () => Promise<void> | void): () => void {
  const entry = { name, fn };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

let cleaning: Promise<void> | null = null;

/** Stops every child, then runs the clean-up hooks. Safe to call more than once. */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map((c) => c.stop(5_000).catch(() => undefined)));
    while (cleanups.length > 0) {
      const c = cleanups.pop() as (typeof cleanups)[number];
      try {
        await c.fn();
      } catch (err) {
        console.error(`[bench] clean-up "${c.name}" failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}

/** Ctrl-C / SIGTERM / SIGHUP: clean up and exit; a second Ctrl-C exits at once (children are still killed). */
export function installExitHandlers(): void {
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(s, () => {
      if (interruptedBy) process.exit(130);
      interruptedBy = s;
      console.log(`\n[bench] ${s}: stopping children and cleaning up (again to exit at once)…`);
      const force = setTimeout(() => process.exit(130), 30_000);
      force.unref();
      void cleanupAll().finally(() => process.exit(130));
    });
  }
  // Output piped into something that went away (`| head`): keep running and clean up normally.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  // Last resort, synchronous: no child outlives the benchmark.
  process.on("exit", () => {
    for (const c of children) killGroup(c.pid, "SIGKILL");
  });
}

// ---------------------------------------------------------------------------------------
// Memory of processes (Linux /proc)

/** VmRSS and VmHWM (peak) of a process in kB, or null when it is gone. Threads share their process's figures. */
export function memoryOf(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
    return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
  } catch {
    return null;
  }
}

/** Child pids of a process (all its threads' children). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    /* gone */
  }
  return [...new Set(out)];
}

/** The process and all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childPids(out[i]));
  return out;
}

export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Samples the summed VmRSS of `pids()` every `everyMs`; stop() returns the peak in MB. */
export function sampleRss(pids: () => number[], everyMs = 100): { stop(): { peakMb: number; samples: number } } {
  let peakKb = 0;
  let samples = 0;
  const tick = () => {
    let sum = 0;
    for (const pid of pids()) sum += memoryOf(pid)?.rssKb ?? 0;
    if (sum > 0) samples++;
    peakKb = Math.max(peakKb, sum);
  };
  tick();
  const t = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(t);
      tick();
      return { peakMb: peakKb / 1024, samples };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Workers

export interface WorkerChild extends Child {
  /** Date.now() when its "started:" line arrived. */
  startedAt: number;
}

/** Starts `scripts/worker.ts` on `url` and waits for its "started:" line. */
export async function startWorker(url: string, env: Record<string, string>): Promise<WorkerChild> {
  const child = spawnChild("worker", workerArgs(), { ...process.env, ...env, DATABASE_URL: url });
  try {
    return Object.assign(child, { startedAt: await workerStarted(child.proc, 60_000, () => child.tail()) });
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
}

/** Lines of a child worth showing when something went wrong. */
export function explain(child: Child): string {
  return `last output of ${child.name} (pid ${child.pid}):\n${child
    .tail()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}`;
}

export { say };
