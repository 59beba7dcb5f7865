/**
 * The sweep verbs: make a sweep (one backtest per fund and combination, one transaction, capped
 * at QTASK_SWEEP_MAX_TASKS), roll one up for its page (src/domain/sweep.ts does the figures),
 * and run any backtest batch again over another window.
 */
import type { z } from "zod";
import { BACKTEST_PARAM_SPECS, DEFAULT_BENCHMARK, type BacktestPayload, type BacktestStrategy } from "@/contracts/backtests";
import { paramDefaults } from "@/contracts/researchParams";
import type { Db } from "@/db/client";
import {
  combinationCount,
  expandSweep,
  SWEEP_METRICS,
  sweepableSpecs,
  type createSweep,
  type getSweep,
  type rerunBacktests,
  type SweepSummary,
} from "@/contracts/sweeps";
import { sweepFigures, type SweepRun } from "@/domain/sweep";
import { enqueueMany } from "@/queue/enqueue";
import { backtestBatchWhere, newBatchId } from "./backtests";
import { backtestFigures } from "./backtestFigures";
import { batchStamps, StampedCache } from "./batchCache";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import { quotaLimits, withEnqueueQuota } from "./quota";
import { rollUp } from "./rollUp";
import type { Input, Output } from "./route";

/** Makes a sweep: 201 with the batch; 400 (nothing written) above the size limit or when no combination is valid. */
export async function create({ body, principal }: Input<typeof createSweep>): Promise<Output<typeof createSweep>> {
  const { conn } = await getQueue();
  const { fund_codes, sweep, params, ...rest } = body;
  const funds = [...new Set(fund_codes)];
  const limit = quotaLimits().sweepMaxTasks;
  // Counted before anything is made: a sweep of 10^12 combinations is refused without making them.
  const count = combinationCount(sweep);
  if (count * funds.length > limit)
    throw new HttpError(
      "invalid_input",
      `this sweep would make ${funds.length} funds × ${count} combinations = ${count * funds.length} tasks, more than the limit of ${limit} (QTASK_SWEEP_MAX_TASKS): narrow the ranges or pick fewer funds`,
      { tasks: count * funds.length, limit, funds: funds.length, combinations: count },
    );
  const base = Object.fromEntries(Object.entries(params ?? {}).filter(([k]) => !(k in sweep))) as Record<string, number>;
  const { combinations, skipped } = expandSweep(base, sweep);
  if (combinations.length === 0)
    throw new HttpError("invalid_input", `no combination of this sweep is valid: ${skipped[0]?.reason ?? "none"}`, {
      skipped: skipped.slice(0, 5),
    });
  const inputs = funds.flatMap((fund_code) =>
    combinations.map((c) => ({
      type: "backtest",
      payload: { fund_code, ...rest, params: { ...base, ...c } },
      createdBy: principal.name,
    })),
  );
  const { batchId, ids } = await withEnqueueQuota(principal, inputs.length, () =>
    enqueueMany(conn, registry, inputs, { batchId: newBatchId("sw") }),
  );
  return {
    status: 201,
    json: {
      batch_id: batchId,
      task_ids: ids.map(String),
      combinations: combinations.length,
      funds: funds.length,
      skipped: skipped.length,
      skipped_examples: skipped.slice(0, 5),
    },
    audit: {
      target: batchId,
      details: { strategy: body.strategy, funds: funds.length, combinations: combinations.length, tasks: ids.length, axes: Object.keys(sweep) },
    },
  };
}

/** Every backtest param's default. */
const DEFAULTS = paramDefaults(BACKTEST_PARAM_SPECS);

/** A backtest's payload as enqueue stored it. */
type StoredPayload = z.infer<typeof BacktestPayload>;

/** A sweep's tasks as the page needs them, read once per stamp (batchCache.ts). */
interface SweepRead {
  first: StoredPayload;
  /** Every param of the first run, defaults filled in. */
  firstParams: Record<string, number>;
  author: string | null;
  createdAt: Date;
  axes: { key: string; values: number[] }[];
  funds: { fund_code: string; fund_name: string | null }[];
  runs: { taskId: string; fund: string; combo: Record<string, number>; status: string; progress: number; metrics: Record<string, unknown> | null }[];
}

const sweeps = new StampedCache<SweepRead>(4);

/** Reads a sweep's tasks and figures (the swept axes are the params whose values differ between runs). */
async function readSweep(db: Db, batchId: string): Promise<SweepRead> {
  const tasks = await db.task.findMany({
    where: { batchId, type: "backtest" },
    orderBy: { id: "asc" },
    select: { id: true, payload: true, status: true, progress: true, createdBy: true, createdAt: true },
  });
  if (tasks.length === 0) throw new HttpError("not_found", `backtest batch ${batchId} not found`);
  const payloads = tasks.map((t) => JSON.parse(t.payload) as StoredPayload);
  // Stored payloads were parsed at enqueue (every param present); the defaults cover older ones.
  const full: Record<string, number>[] = payloads.map((p) => ({ ...DEFAULTS, ...p.params }));
  const axes = Object.keys(full[0])
    .map((key) => ({ key, values: [...new Set(full.map((f) => f[key]))].sort((a, b) => a - b) }))
    .filter((a) => a.values.length > 1);
  const codes = [...new Set(payloads.map((p) => p.fund_code))];
  const names = new Map(
    (await db.instrument.findMany({ where: { code: { in: codes } }, select: { code: true, name: true } })).map((i) => [i.code, i.name]),
  );
  const figures = await backtestFigures(
    db,
    tasks.filter((t) => t.status === "succeeded").map((t) => t.id),
  );
  return {
    first: payloads[0],
    firstParams: full[0],
    author: tasks[0].createdBy,
    createdAt: tasks[0].createdAt,
    axes,
    funds: codes.map((c) => ({ fund_code: c, fund_name: names.get(c) ?? null })),
    runs: tasks.map((t, i) => ({
      taskId: String(t.id),
      fund: payloads[i].fund_code,
      combo: Object.fromEntries(axes.map((a) => [a.key, full[i][a.key]])),
      status: t.status,
      progress: t.progress,
      metrics: (figures.get(t.id)?.metrics as Record<string, unknown> | undefined) ?? null,
    })),
  };
}

/** The sweep rolled up: counts, the swept axes, and the figures of the chosen metric and scope. */
export async function summary({ params, query }: Input<typeof getSweep>): Promise<Output<typeof getSweep>> {
  const { database } = await getQueue();
  const db = database.db;
  const stamp = (await batchStamps(db, [params.batch_id])).get(params.batch_id);
  if (!stamp) throw new HttpError("not_found", `backtest batch ${params.batch_id} not found`);
  let read = sweeps.get(params.batch_id, stamp);
  if (!read) sweeps.set(params.batch_id, stamp, (read = await readSweep(db, params.batch_id)));
  const { first, axes } = read;
  const axisKeys = axes.map((a) => a.key);
  for (const k of [query.x, query.y])
    if (k && !axisKeys.includes(k)) throw new HttpError("invalid_input", `${k} is not swept in this batch (swept: ${axisKeys.join(", ") || "none"})`);
  const x = query.x ?? axisKeys[0] ?? null;
  const y = query.y ?? axisKeys.find((k) => k !== x) ?? null;
  if (x && y && x === y) throw new HttpError("invalid_input", "the heatmap's x and y must be different params");
  if (query.fund && !read.funds.some((f) => f.fund_code === query.fund)) throw new HttpError("invalid_input", `fund ${query.fund} is not in this sweep`);

  const { counts, progress } = rollUp(read.runs);
  const runs: SweepRun[] = read.runs.map((r) => {
    const v = r.metrics?.[query.metric];
    return { taskId: r.taskId, fund: r.fund, combo: r.combo, value: typeof v === "number" ? v : null };
  });
  const higher = SWEEP_METRICS[query.metric] === "higher";
  const f = sweepFigures(runs, { axes: axisKeys, higherIsBetter: higher, fund: query.fund ?? null, x, y });
  const json: SweepSummary = {
    batch_id: params.batch_id,
    strategy: first.strategy,
    // The params this strategy reads (a stored payload carries every strategy's defaults).
    base_params: Object.fromEntries(
      sweepableSpecs(first.strategy as BacktestStrategy)
        .map((p) => p.key)
        .filter((k) => !axisKeys.includes(k))
        .map((k) => [k, read.firstParams[k]]),
    ),
    axes,
    start: first.start ?? null,
    end: first.end ?? null,
    benchmark: first.benchmark === undefined ? DEFAULT_BENCHMARK : first.benchmark,
    author: read.author,
    created_at: read.createdAt.toISOString(),
    total: read.runs.length,
    counts,
    progress: Math.round(progress * 10) / 10,
    funds: read.funds,
    metric: query.metric,
    higher_is_better: higher,
    fund: query.fund ?? null,
    heatmap: f.heatmap,
    combinations: f.leaderboard.length,
    leaderboard: f.leaderboard.slice(0, 500).map((r) => ({
      rank: r.rank,
      params: r.params,
      mean: r.mean,
      median: r.median,
      min: r.min,
      max: r.max,
      n: r.n,
      runs: r.runs,
      wins: r.wins,
      task_id: r.taskId,
    })),
    robustness: f.robustness && {
      params: f.robustness.params,
      per_fund: f.robustness.perFund.map((p) => ({ fund_code: p.fund, rank: p.rank, of: p.of, value: p.value })),
      median_rank: f.robustness.medianRank,
      mean_rank: f.robustness.meanRank,
      top_quartile_share: f.robustness.topQuartileShare,
      first_share: f.robustness.firstShare,
      kendall_w: f.robustness.kendallW,
      kendall_funds: f.robustness.kendallFunds,
    },
  };
  return { json };
}

/** Enqueues a batch's backtests again as a new batch (a sweep stays a sweep), with the window changed. */
export async function rerun({ params, body, principal }: Input<typeof rerunBacktests>): Promise<Output<typeof rerunBacktests>> {
  const { database, conn } = await getQueue();
  const tasks = await database.db.task.findMany({
    where: backtestBatchWhere(params.batch_id),
    orderBy: { id: "asc" },
    select: { payload: true },
  });
  if (tasks.length === 0) throw new HttpError("not_found", `backtest batch ${params.batch_id} not found`);
  const window = (p: StoredPayload): StoredPayload => {
    const out: StoredPayload = { ...p };
    for (const k of ["start", "end"] as const) {
      if (body[k] === null) delete out[k];
      else if (body[k] !== undefined) out[k] = body[k];
    }
    if (out.start && out.end && out.start > out.end) throw new HttpError("invalid_input", `the window ${out.start} – ${out.end} ends before it starts`);
    return out;
  };
  const inputs = tasks.map((t) => ({ type: "backtest", payload: window(JSON.parse(t.payload) as StoredPayload), createdBy: principal.name }));
  const { batchId, ids } = await withEnqueueQuota(principal, inputs.length, () =>
    enqueueMany(conn, registry, inputs, { batchId: newBatchId(params.batch_id.startsWith("sw-") ? "sw" : "bt") }),
  );
  return {
    status: 201,
    json: { batch_id: batchId, task_ids: ids.map(String) },
    audit: { target: batchId, details: { from: params.batch_id, tasks: ids.length, start: body.start, end: body.end } },
  };
}
