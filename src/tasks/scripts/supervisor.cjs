/**
 * The supervisor between a worker and one script run (started by runner.ts). Node cannot ask
 * the kernel to end a child when its parent dies (no PR_SET_PDEATHSIG), and a script killed
 * with its worker's `kill -9` would go on running beside the rescued copy of its task. So the
 * worker starts this small process, which starts the program in a process group of its own
 * and holds its stdin pipe from the worker: when that pipe closes — the worker ended, however
 * it ended — or the worker writes `term`, the supervisor sends SIGTERM to the whole group, then
 * SIGKILL after the grace period, so children the script started (`subprocess.Popen`,
 * `sleep 1000 &`) end too. When the program exits by itself, what it left running in its group
 * is ended the same way.
 *
 * stdin  (from the worker): one JSON line {argv, cwd, env, input, graceMs}, then `term` lines.
 * stdout, stderr: the program's own (it inherits them), read by the worker line by line.
 * fd 3   (to the worker): JSON lines {"pid"}, {"error"} (it could not start), {"exit", "signal"}.
 */
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");

let status;
try {
  status = fs.createWriteStream(null, { fd: 3 });
} catch {
  process.exit(70);
}
const say = (obj) => status.write(JSON.stringify(obj) + "\n");

let child = null;
let pgid = 0;
let graceMs = 10000;
let stopping = false;
let exited = null;

/** Signals the program's whole group; false when nothing of it is left. */
function signalGroup(sig) {
  if (!pgid) return false;
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the group, SIGKILL after the grace period, then leave once the group is gone. */
function stop() {
  if (stopping) return;
  stopping = true;
  if (!child) return finish();
  signalGroup("SIGTERM");
  setTimeout(() => signalGroup("SIGKILL"), graceMs);
  waitForGroup();
}

/** Exits once no process of the group is left (checked every 50 ms). */
function waitForGroup() {
  if (signalGroup(0)) return void setTimeout(waitForGroup, 50);
  if (exited) finish();
  else setTimeout(waitForGroup, 50); // the program is gone but its exit not yet reported
}

function finish() {
  if (exited) say(exited);
  status.end(() => process.exit(0));
}

function start(cfg) {
  graceMs = Number.isFinite(cfg.graceMs) ? cfg.graceMs : 10000;
  try {
    child = spawn(cfg.argv[0], cfg.argv.slice(1), { cwd: cfg.cwd, env: cfg.env, stdio: ["pipe", "inherit", "inherit"], detached: true });
  } catch (err) {
    say({ error: String((err && err.message) || err) });
    return finish();
  }
  child.on("error", (err) => {
    // ENOENT, EACCES, a bad cwd: the program never ran.
    say({ error: `${err.code ? err.code + ": " : ""}${err.message}` });
    child = null;
    finish();
  });
  if (!child.pid) return;
  pgid = child.pid;
  say({ pid: child.pid });
  child.stdin.on("error", () => undefined); // a program that does not read its stdin
  child.stdin.end(cfg.input ?? "");
  child.on("exit", (code, signal) => {
    exited = { exit: code, signal };
    // What the program left running in its group ends with it.
    if (!stopping) {
      stopping = true;
      signalGroup("SIGTERM");
      setTimeout(() => signalGroup("SIGKILL"), Math.min(graceMs, 2000));
    }
    waitForGroup();
  });
}

let buffered = "";
let configured = false;
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (!configured) {
      configured = true;
      try {
        start(JSON.parse(line));
      } catch (err) {
        say({ error: `bad configuration: ${err.message}` });
        finish();
      }
    } else if (line.trim() === "term") stop();
  }
});
// The worker closed the pipe: it finished with us, or it died.
process.stdin.on("end", stop);
process.stdin.on("error", stop);
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, stop);
