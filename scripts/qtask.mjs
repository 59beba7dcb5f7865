#!/usr/bin/env node
/**
 * `qtask`: the command line for shell scripts, crontab lines on other machines and CI jobs.
 * Plain Node 20 (fetch), no dependencies, so it can be copied anywhere. It talks to the HTTP API
 * at QTASK_URL (default http://localhost:3000) with QTASK_TOKEN (an API token, `qtk_…`).
 *
 *   qtask enqueue TYPE [--payload JSON] [--queue Q] [--priority N] [--max-attempts N] [--wait] [--timeout SECONDS]
 *   qtask status TASK_ID           qtask cancel TASK_ID        qtask retry TASK_ID
 *   qtask logs RUN_ID [--follow]   qtask schedules             qtask trigger SCHEDULE [--wait] [--timeout SECONDS]
 *   qtask queues                   qtask pause QUEUE           qtask resume QUEUE
 *
 * Exit codes: 0 the task succeeded (or the command did what it says); 1 it failed or was
 * cancelled, or the API refused (the error is printed); 2 usage; 3 `status` of a task that has
 * not finished; 4 the server could not be reached or did not finish within --timeout.
 */

const EXIT = { ok: 0, failed: 1, usage: 2, unfinished: 3, unreachable: 4 };
const USAGE = `usage: qtask <command> [options]
  enqueue TYPE [--payload JSON] [--queue Q] [--priority N] [--max-attempts N] [--wait] [--timeout SECONDS]
  status TASK_ID
  cancel TASK_ID
  retry TASK_ID
  logs RUN_ID [--follow]
  schedules
  trigger SCHEDULE_NAME [--wait] [--timeout SECONDS]
  queues
  pause QUEUE
  resume QUEUE
environment: QTASK_URL (default http://localhost:3000), QTASK_TOKEN (an API token)
exit codes: 0 succeeded, 1 failed or refused, 2 usage, 3 not finished (status), 4 unreachable or timed out`;

class Usage extends Error {}
class Unreachable extends Error {}
class Refused extends Error {}

const base = (process.env.QTASK_URL || "http://localhost:3000").replace(/\/+$/, "");
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Parses `args` into positionals and --flags (a flag takes the next word unless it is boolean). */
function parse(args, booleans) {
  const out = { _: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      out._.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (booleans.includes(name)) out[name] = true;
    else {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Usage(`--${name} needs a value`);
      out[name] = v;
    }
  }
  return out;
}

async function api(method, path, body) {
  let res;
  try {
    res = await fetch(base + path, {
      method,
      headers: {
        ...(process.env.QTASK_TOKEN ? { authorization: `Bearer ${process.env.QTASK_TOKEN}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Unreachable(`cannot reach ${base}: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) throw new Refused(`${method} ${path}: ${res.status} ${json?.error?.message ?? text.slice(0, 200)}`);
  return json;
}

const id = (v, what) => {
  if (!/^[1-9][0-9]{0,14}$/.test(v ?? "")) throw new Usage(`${what} must be a positive integer id`);
  return v;
};

/** Waits for a task to finish (polling once a second); its exit code. */
async function wait(taskId, timeoutS) {
  const deadline = timeoutS ? Date.now() + Number(timeoutS) * 1000 : Infinity;
  for (;;) {
    const { task } = await api("GET", `/api/tasks/${taskId}`);
    if (FINISHED.has(task.status)) {
      console.error(`task ${taskId} ${task.status}${task.error ? `: ${task.error.split("\n")[0]}` : ""}`);
      return task.status === "succeeded" ? EXIT.ok : EXIT.failed;
    }
    if (Date.now() > deadline) {
      console.error(`task ${taskId} still ${task.status} after ${timeoutS} s`);
      return EXIT.unreachable;
    }
    await sleep(1_000);
  }
}

function printLine(l) {
  console.log(`${l.ts} ${l.level.toUpperCase().padEnd(5)} ${l.message}${l.data == null ? "" : ` ${JSON.stringify(l.data)}`}`);
}

const commands = {
  async enqueue(args) {
    const o = parse(args, ["wait"]);
    const [type] = o._;
    if (!type) throw new Usage("enqueue needs a task type");
    let payload = {};
    if (o.payload !== undefined) {
      try {
        payload = JSON.parse(o.payload);
      } catch {
        throw new Usage("--payload must be JSON");
      }
    }
    const body = { type, payload };
    if (o.queue) body.queue = o.queue;
    if (o.priority) body.priority = Number(o.priority);
    if (o["max-attempts"]) body.max_attempts = Number(o["max-attempts"]);
    const { task } = await api("POST", "/api/tasks", body);
    console.log(task.id);
    return o.wait ? wait(task.id, o.timeout) : EXIT.ok;
  },
  async status(args) {
    const taskId = id(parse(args, [])._[0], "TASK_ID");
    const { task, runs } = await api("GET", `/api/tasks/${taskId}`);
    const run = runs.at(-1);
    console.log(
      JSON.stringify({ id: task.id, type: task.type, status: task.status, progress: task.progress, attempts: task.attempts, run_id: run?.id ?? null, error: task.error }, null, 2),
    );
    return task.status === "succeeded" ? EXIT.ok : FINISHED.has(task.status) ? EXIT.failed : EXIT.unfinished;
  },
  async cancel(args) {
    const taskId = id(parse(args, [])._[0], "TASK_ID");
    const r = await api("POST", `/api/tasks/${taskId}/cancel`);
    console.log(r.outcome ?? r.task?.status);
    return EXIT.ok;
  },
  async retry(args) {
    const taskId = id(parse(args, [])._[0], "TASK_ID");
    const r = await api("POST", `/api/tasks/${taskId}/retry`);
    console.log(r.task?.status ?? "queued");
    return EXIT.ok;
  },
  async logs(args) {
    const o = parse(args, ["follow"]);
    const runId = id(o._[0], "RUN_ID");
    let after = 0;
    for (;;) {
      const page = await api("GET", `/api/tasks/runs/${runId}/logs?after_seq=${after}&limit=1000`);
      for (const l of page.items) printLine(l);
      after = page.next_after_seq;
      if (page.items.length === 1000) continue;
      if (!o.follow || page.run_finished) return EXIT.ok;
      await sleep(500);
    }
  },
  async schedules() {
    const { items } = await api("GET", "/api/schedules?limit=200");
    for (const s of items)
      console.log(`${s.name.padEnd(32)} ${s.enabled ? "on " : "off"} ${String(s.kind).padEnd(12)} next ${s.next_run_at ?? "-"}  last ${s.last_run_at ?? "-"}`);
    return EXIT.ok;
  },
  async trigger(args) {
    const o = parse(args, ["wait"]);
    const [name] = o._;
    if (!name) throw new Usage("trigger needs a schedule name");
    const { items } = await api("GET", "/api/schedules?limit=200");
    const s = items.find((x) => x.name === name);
    if (!s) throw new Refused(`no schedule named ${name}`);
    const { task_id } = await api("POST", `/api/schedules/${s.id}/trigger`);
    console.log(task_id);
    return o.wait ? wait(task_id, o.timeout) : EXIT.ok;
  },
};

/** One line per queue: counts, pause, limits, oldest due task, workers. */
function queueLine(q) {
  const c = q.counts;
  const limits = [
    q.limits.max_running !== null ? `max_running=${q.limits.max_running}` : null,
    q.limits.rate ? `rate=${q.limits.rate.limit}/${q.limits.rate.per}` : null,
    q.limits.per_key ? `per_key=${q.limits.per_key.field}:${q.limits.per_key.max_running}` : null,
  ].filter(Boolean);
  return [
    q.name.padEnd(16),
    (q.paused ? `paused by ${q.paused_by}` : "active").padEnd(18),
    `queued ${c.queued}`.padEnd(14),
    `running ${c.running}`.padEnd(12),
    `failed ${c.failed}`.padEnd(12),
    `oldest ${q.oldest_queued_age_s === null ? "-" : `${q.oldest_queued_age_s}s`}`.padEnd(14),
    `workers ${q.workers.length}`.padEnd(10),
    limits.join(" ") || "no limits",
  ].join(" ");
}

/** Pauses or resumes a queue and prints its line. */
async function pauseOrResume(args, verb) {
  const [name] = parse(args, [])._;
  if (!name) throw new Usage(`${verb} needs a queue name`);
  const { queue } = await api("POST", `/api/queues/${encodeURIComponent(name)}/${verb}`);
  console.log(queueLine(queue));
  return EXIT.ok;
}

Object.assign(commands, {
  async queues() {
    const { items } = await api("GET", "/api/queues");
    for (const q of items) console.log(queueLine(q));
    return EXIT.ok;
  },
  pause: (args) => pauseOrResume(args, "pause"),
  resume: (args) => pauseOrResume(args, "resume"),
});

async function main(argv) {
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command ? EXIT.ok : EXIT.usage;
  }
  const run = commands[command];
  if (!run) throw new Usage(`unknown command ${command}`);
  return run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof Usage) {
      console.error(`qtask: ${err.message}\n${USAGE}`);
      process.exit(EXIT.usage);
    }
    console.error(`qtask: ${err.message}`);
    process.exit(err instanceof Unreachable ? EXIT.unreachable : EXIT.failed);
  },
);
