/**
 * Running one script task: the program starts under a supervisor (supervisor.cjs) in a
 * process group of its own, with only the environment its declaration gives it; its stdout
 * and stderr are relayed line by line into the run's log (stdout at info, stderr at warn, each
 * line's data saying which), `::qtask::` lines are read as the line protocol (protocol.ts), and
 * exit code 0 means success. Cancel, timeout and shutdown end the whole group (SIGTERM, then
 * SIGKILL after kill_grace_ms); so does the worker's own death, through the supervisor.
 *
 * Reading pauses while the lines read so far are written (every LINES_PER_WRITE lines), so a
 * program that prints faster than the database stores blocks on its full pipe instead of
 * growing the worker's memory; a line is cut at MAX_LINE characters as it arrives.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { TaskFailPermanently, type TaskContext } from "@/queue/registry";
import { MARKER, readProtocolLine } from "./protocol";
import { argvOf, type ScriptSpec } from "./spec";

/** Characters kept of one output line (the run log's own limit per line). */
const MAX_LINE = 8_000;
/** Lines relayed between two waits for the log to be written. */
const LINES_PER_WRITE = 500;
/** Last stderr lines kept for the error of a failed run. */
const STDERR_TAIL = 10;
/** Variables every script gets from the worker's environment: where programs are, the locale, home and zone. */
const BASE_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "TZ"];

/** The supervisor's path, beside this file (asked for only when a script runs, in the worker). */
function supervisorPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), "supervisor.cjs");
}

/** The program's environment: the base variables, env_from, env, then the QTASK_ ones. */
function scriptEnv(spec: ScriptSpec, ctx: TaskContext<Record<string, unknown>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV, ...spec.env_from]) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  Object.assign(env, spec.env);
  return {
    ...env,
    QTASK_TASK_ID: String(ctx.taskId),
    QTASK_RUN_ID: String(ctx.runId),
    QTASK_ATTEMPT: String(ctx.attempt),
    QTASK_MAX_ATTEMPTS: String(ctx.maxAttempts),
    QTASK_PAYLOAD: JSON.stringify(ctx.payload),
    PYTHONUNBUFFERED: "1",
  };
}

/** Calls `onLine` for each line of `stream` in order, awaiting it; lines longer than MAX_LINE are cut. */
async function eachLine(stream: Readable, onLine: (line: string) => Promise<void>): Promise<void> {
  stream.setEncoding("utf8");
  let buffered = "";
  let skipping = false; // the rest of a line already cut
  for await (const chunk of stream as AsyncIterable<string>) {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, "");
      buffered = buffered.slice(nl + 1);
      if (skipping) skipping = false;
      else await onLine(line);
    }
    if (buffered.length > MAX_LINE) {
      if (!skipping) await onLine(`${buffered.slice(0, MAX_LINE)} …(line cut at ${MAX_LINE} characters)`);
      buffered = "";
      skipping = true;
    }
  }
  if (buffered && !skipping) await onLine(buffered);
}

/** What the supervisor reported on fd 3. */
interface Status {
  pid?: number;
  error?: string;
  exit?: number | null;
  signal?: string | null;
}

/** Runs the script of `spec` for one task run; resolves with its result, throws as the run should end. */
export async function runScript(ctx: TaskContext<Record<string, unknown>>, spec: ScriptSpec): Promise<unknown> {
  const argv = argvOf(spec, ctx.payload);
  const shown = argvOf(spec, ctx.payload, true);
  const cwd = path.resolve(/* turbopackIgnore: true */ process.cwd(), spec.cwd ?? ".");
  if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory())
    throw new TaskFailPermanently(`cwd ${spec.cwd ?? "."} is not a folder on ${os.hostname()}`);

  const sup = spawn(process.execPath, [supervisorPath()], {
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } as unknown as NodeJS.ProcessEnv,
  });
  sup.stdin.on("error", () => undefined); // the supervisor gone: its close says the rest
  const statuses: Status[] = [];
  let info: Record<string, unknown> = { argv: shown, cwd: spec.cwd ?? ".", host: os.hostname() };
  const recordInfo = (extra: Record<string, unknown>) => {
    info = { ...info, ...extra };
    return ctx.runInfo(info).catch(() => undefined); // a lost lease aborts the run anyway
  };
  const statusRead = eachLine(sup.stdio[3] as Readable, async (line) => {
    let s: Status;
    try {
      s = JSON.parse(line) as Status;
    } catch {
      return;
    }
    statuses.push(s);
    if (s.pid) {
      ctx.log.info(`started ${shown.join(" ")} (pid ${s.pid} on ${os.hostname()})`, { argv: shown, pid: s.pid });
      await recordInfo({ pid: s.pid });
    }
  });

  const stop = () => sup.stdin.write("term\n");
  ctx.signal.addEventListener("abort", stop, { once: true });
  sup.stdin.write(
    JSON.stringify({ argv, cwd, env: scriptEnv(spec, ctx), input: `${JSON.stringify(ctx.payload)}\n`, graceMs: spec.kill_grace_ms }) + "\n",
  );

  let result = null as unknown;
  let failReason = null as string | null;
  const stderrTail: string[] = [];
  let lines = 0;
  const relay = (stream: "stdout" | "stderr") => async (line: string) => {
    const proto = readProtocolLine(line);
    if (proto && "message" in proto) {
      const m = proto.message;
      if ("progress" in m) ctx.progress(m.progress, m.message);
      else if ("log" in m) ctx.log[m.log](m.message, m.data);
      else if ("result" in m) result = m.result;
      else if ("rows" in m) await ctx.addResults(m.rows.map((r) => ({ key: String(r.key), data: r.data })));
      else failReason = m.fail_permanently;
    } else {
      if (proto) ctx.log.warn(`a ${MARKER} line that is ${proto.problem}: logged as text`, { stream });
      if (stream === "stdout") ctx.log.info(line, { stream });
      else {
        ctx.log.warn(line, { stream });
        stderrTail.push(line.slice(0, 500));
        if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
      }
    }
    if (++lines % LINES_PER_WRITE === 0) await ctx.logsWritten();
  };
  const closed = new Promise<void>((resolve) => sup.on("close", () => resolve()));
  try {
    await Promise.all([eachLine(sup.stdout, relay("stdout")), eachLine(sup.stderr, relay("stderr")), statusRead, closed]);
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    sup.stdin.end();
  }

  const started = statuses.find((s) => s.error !== undefined);
  if (started?.error) throw new TaskFailPermanently(`could not start ${argv[0]}: ${started.error}`);
  const end = statuses.find((s) => "exit" in s);
  await recordInfo({ exit_code: end?.exit ?? null, signal: end?.signal ?? null });
  ctx.signal.throwIfAborted();
  if (failReason) throw new TaskFailPermanently(failReason);
  if (end?.exit === 0) return result;
  const how = end?.signal ? `killed by ${end.signal}` : end ? `exit code ${end.exit}` : "the supervisor ended without an exit status";
  throw new Error(`${how}${stderrTail.length ? `; stderr ended with:\n${stderrTail.join("\n")}` : ""}`);
}
