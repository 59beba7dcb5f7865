/**
 * `npm run bench`: qtask's performance figures on SQLite and PostgreSQL (issue 7). Not a test:
 * it prints a table (median of the repetitions, min–max, ✗ where a target is missed) and writes
 * bench/results/<timestamp>.json and bench/results/latest.json.
 *
 *   npm run bench                                  full volumes, both databases (PostgreSQL when reachable)
 *   npm run bench -- --quick                       smaller volumes, for a fast look
 *   npm run bench -- --db sqlite --only drain,latency
 *
 * Options: --db sqlite|postgres|both (default both), --only enqueue,drain,latency,api,signals,memory,research,events,
 * --quick, --reps N (default 3). PostgreSQL: BENCH_POSTGRES_URL, else TEST_POSTGRES_URL, else
 * postgresql://postgres@127.0.0.1:5432/test; its user must be allowed to create databases.
 * BENCH_PORT (default 3300) is where the app listens for the HTTP figures.
 */
import { DbFactory, pgReachable, removeLeftovers, type Provider } from "./lib/db";
import { volumes, type Ctx } from "./lib/context";
import { cleanupAll, installExitHandlers, interrupted } from "./lib/procs";
import { calibrationMs } from "./lib/calibrate";
import { PHASES, Report, machineFacts, type Phase } from "./lib/report";
import { say } from "./lib/log";
import { engineEnqueue, httpEnqueue } from "./phases/enqueue";
import { drain, workerMemory } from "./phases/drain";
import { latency } from "./phases/latency";
import { api } from "./phases/api";
import { signals } from "./phases/signals";
import { research } from "./phases/research";
import { events } from "./phases/events";

const USAGE = `usage: npm run bench -- [--db sqlite|postgres|both] [--only ${PHASES.join(",")}] [--quick] [--reps N]`;

function parseArgs(argv: string[]): { db: "sqlite" | "postgres" | "both"; only: Phase[]; quick: boolean; reps: number } {
  const out = { db: "both" as "sqlite" | "postgres" | "both", only: [...PHASES], quick: false, reps: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--quick") out.quick = true;
    else if (flag === "--db") {
      const v = value();
      if (v !== "sqlite" && v !== "postgres" && v !== "both") throw new Error(`--db must be sqlite, postgres or both\n${USAGE}`);
      out.db = v;
    } else if (flag === "--only") {
      const list = value()
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = list.filter((p) => !PHASES.includes(p as Phase));
      if (bad.length || list.length === 0) throw new Error(`unknown figure group(s) ${bad.join(", ")}\n${USAGE}`);
      out.only = PHASES.filter((p) => list.includes(p));
    } else if (flag === "--reps") {
      out.reps = Number(value());
      if (!Number.isInteger(out.reps) || out.reps < 1) throw new Error(`--reps must be a positive integer\n${USAGE}`);
    } else if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return out;
}

const PHASE_RUNNERS: Record<Phase, ((ctx: Ctx) => Promise<void>)[]> = {
  enqueue: [engineEnqueue, httpEnqueue],
  drain: [drain],
  latency: [latency],
  api: [api],
  signals: [signals],
  memory: [workerMemory],
  research: [research],
  events: [events],
};

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  installExitHandlers();
  const started = Date.now();
  const report = new Report();
  const v = volumes(opts.quick);
  if (opts.reps < 3) say(`note: --reps ${opts.reps} is below the 3 repetitions the figures are meant to be the median of`);

  const pgUrl = process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/test";
  const providers: Provider[] = opts.db === "both" ? ["sqlite", "postgres"] : [opts.db];
  let pgVersion: string | null = null;
  if (providers.includes("postgres")) {
    const reach = await pgReachable(pgUrl);
    if (!reach.ok) {
      if (opts.db === "postgres") throw new Error(`PostgreSQL at ${pgUrl.replace(/\/\/[^@]*@/, "//***@")} is unreachable: ${reach.reason}`);
      report.skipped.postgres = `unreachable: ${reach.reason}`;
      say(`PostgreSQL is unreachable (${reach.reason}): its column is skipped (set BENCH_POSTGRES_URL)`);
    } else pgVersion = reach.version ?? null;
  }
  await removeLeftovers(pgVersion ? pgUrl : null);
  const calibrationAtStart = calibrationMs();
  say(`calibration: ${calibrationAtStart} ms (a fixed single-thread workload; lower is faster)`);
  say(
    `${opts.quick ? "QUICK volumes" : "full volumes"}, ${opts.reps} repetitions; figures: ${opts.only.join(", ")}; databases: ${providers.join(", ")}`,
  );

  for (const provider of providers) {
    if (report.skipped[provider]) continue;
    const ctx: Ctx = {
      provider,
      factory: new DbFactory(provider, provider === "postgres" ? pgUrl : null),
      report,
      reps: opts.reps,
      quick: opts.quick,
      v,
    };
    for (const phase of opts.only) {
      for (const run of PHASE_RUNNERS[phase]) {
        say(`[${provider}] ${phase}: ${run.name}`);
        const t = Date.now();
        try {
          await run(ctx);
          say(`[${provider}] ${run.name} done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
        } catch (err) {
          if (interrupted()) return 130;
          report.fail(provider, phase, err);
          say(`[${provider}] ${run.name} FAILED: ${(err as Error).message}`);
        }
      }
    }
  }

  if (interrupted()) return 130; // the exit handler cleans up and exits; no results from a cut-short run
  const calibration = { start_ms: calibrationAtStart, end_ms: calibrationMs() };
  const meta = {
    ...machineFacts(),
    calibration,
    options: opts,
    volumes: v,
    postgres: pgVersion ? { url: pgUrl.replace(/\/\/[^@]*@/, "//***@"), server_version: pgVersion } : null,
    duration_seconds: Math.round((Date.now() - started) / 1000),
    notes: [
      "Each figure: median of the repetitions, with min and max. Latencies and API times in ms, throughput in tasks/s.",
      "Latency: run.started_at (database clock, offset-corrected) minus Date.now() before enqueue(); ±1 ms resolution.",
      "Drain: from the worker's 'started:' line to the last task's finished_at.",
    ],
  };
  const file = report.write(meta);
  console.log("");
  console.log(report.table(providers, opts.only));
  console.log("");
  console.log(
    `✗ misses its target; ! its figure group reported errors (below; failed repetitions are left out of throughput figures). ${opts.quick ? "QUICK volumes: not the issue's volumes. " : ""}Machine: ${meta.cpus} CPUs, Node ${meta.node}, commit ${String(meta.commit).slice(0, 10)}${meta.dirty ? " (+ uncommitted changes)" : ""}; calibration ${calibration.start_ms} ms at the start, ${calibration.end_ms} ms at the end (a fixed single-thread workload: lower is faster; compare tables only at similar values).`,
  );
  for (const e of report.errors) console.log(`error [${e.provider}] ${e.phase}: ${e.message.split("\n")[0]}`);
  console.log(`results: ${file} (and bench/results/latest.json); ${Math.round((Date.now() - started) / 1000)} s in all`);
  // The targets above are peers' figures written down on another day; this machine's speed
  // changes by the hour, so a claim against a peer comes from running both in one go.
  console.log(
    "Against peers: measure side by side in one run (qtask beside graphile-worker, BullMQ, pg-boss, plainjob): ../shared/anchors-bench/setup.sh . then /tmp/qtask-anchors/run-bench.sh --reps 3 --workloads drain,latency; the latest table is in README → Performance → Side by side.",
  );
  return report.errors.length > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
