/**
 * The history verbs: past screen runs and backtest batches, newest first, with who started
 * them (the API caller, or the schedule), their params and headline figures; and screen runs
 * compared: which funds entered and left between one run and the next.
 */
import type { Prisma } from "@/generated/sqlite/client";
import type { BacktestBatchSummary, HistoryQuery, ScreenRunJson, backtestHistory, compareScreens, screenHistory } from "@/contracts/research";
import { DEFAULT_BENCHMARK } from "@/contracts/backtests";
import { getDatabase } from "@/db/client";
import { median } from "@/domain/sweep";
import { backtestFigures, type BacktestFigures } from "./backtestFigures";
import { batchStamps, StampedCache } from "./batchCache";
import { historyKeys } from "./historyKeys";
import { HttpError } from "./errors";
import { rollUp } from "./rollUp";
import type { Input, Output } from "./route";

type TaskRow = {
  id: number;
  payload: string;
  result?: string | null;
  status: string;
  progress: number;
  batchId: string | null;
  scheduleId: string | null;
  createdBy: string | null;
  createdAt: Date;
};

const SELECT = {
  id: true,
  payload: true,
  result: true,
  status: true,
  progress: true,
  batchId: true,
  scheduleId: true,
  createdBy: true,
  createdAt: true,
} as const;

/** The filters every history shares, as a where clause on tasks of `type`. */
function baseWhere(type: string, q: HistoryQuery): Prisma.TaskWhereInput {
  return {
    type,
    ...(q.author ? { createdBy: q.author } : {}),
    ...(q.schedule ? { scheduleId: q.schedule } : {}),
    // A LIKE on the stored JSON, which JSON.stringify wrote: `"strategy":"rsi"` matches that strategy only
    // (LIKE's _ matches any character, and no two strategy ids differ only where one has an underscore).
    ...(q.strategy ? { payload: { contains: `"strategy":"${q.strategy}"` } } : {}),
  };
}

/** Schedule names by id, for "which schedule started it". */
async function scheduleNames(ids: (string | null)[]): Promise<Map<string, string>> {
  const nums = [...new Set(ids.filter((x): x is string => !!x && /^\d+$/.test(x)).map(Number))];
  if (nums.length === 0) return new Map();
  const { db } = await getDatabase();
  const rows = await db.schedule.findMany({ where: { id: { in: nums } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [String(r.id), r.name]));
}

const parse = <T>(text: string | null): T | null => {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
};

type ScreenResult = {
  evaluated?: number;
  matched?: number;
  top?: ScreenRunJson["top"];
  provenance?: { params?: Record<string, number>; data?: { hash?: string } };
};

/** One screen task as the history shows it; null when its payload does not parse. */
function screenRun(r: TaskRow, names: Map<string, string>): (ScreenRunJson & { applied: Record<string, number> | null }) | null {
  const p = parse<{ strategy: string; params?: Record<string, number>; as_of?: string }>(r.payload);
  if (!p) return null;
  const res = parse<ScreenResult>(r.result ?? null);
  return {
    task_id: String(r.id),
    strategy: p.strategy,
    params: p.params ?? {},
    as_of: p.as_of ?? null,
    author: r.createdBy,
    schedule_id: r.scheduleId,
    schedule_name: r.scheduleId ? (names.get(r.scheduleId) ?? null) : null,
    created_at: r.createdAt.toISOString(),
    status: r.status,
    progress: r.progress,
    evaluated: res?.evaluated ?? null,
    matched: res?.matched ?? null,
    top: res?.top ?? [],
    data_hash: res?.provenance?.data?.hash ?? null,
    applied: res?.provenance?.params ?? null,
  };
}

/** Past screen runs. */
export async function screens({ query: q }: Input<typeof screenHistory>): Promise<Output<typeof screenHistory>> {
  const { db } = await getDatabase();
  const where: Prisma.TaskWhereInput = baseWhere("strategy_screen", q);
  if (q.fund) {
    // Screens that matched the fund: its code is the key of one of their result rows.
    const hits = await db.resultRow.findMany({ where: { rowKey: q.fund }, select: { taskId: true } });
    where.id = { in: hits.map((h) => h.taskId) };
  }
  if (q.cursor) where.AND = [{ id: { lt: Number(q.cursor) } }];
  const rows: TaskRow[] = await db.task.findMany({ where, orderBy: { id: "desc" }, take: q.limit + 1, select: SELECT });
  const page = rows.slice(0, q.limit);
  const names = await scheduleNames(page.map((r) => r.scheduleId));
  const items: ScreenRunJson[] = [];
  for (const r of page) {
    const run = screenRun(r, names);
    if (run && (!q.strategy || run.strategy === q.strategy)) {
      const { applied: _applied, ...json } = run;
      items.push(json);
    }
  }
  return { json: { items, next_cursor: rows.length > q.limit ? String(page[page.length - 1].id) : null } };
}

/** History rows of batches, kept while their tasks do not change (batchCache.ts). */
const summaries = new StampedCache<BacktestBatchSummary>(200);

/** Past backtest batches, newest first (historyKeys), or the batches named; each row kept while its batch is unchanged. */
export async function backtests({ query: q }: Input<typeof backtestHistory>): Promise<Output<typeof backtestHistory>> {
  const { db } = await getDatabase();
  const where = baseWhere("backtest", q);
  if (q.fund) where.AND = [{ payload: { contains: `"fund_code":"${q.fund}"` } }];
  const { keys, next: nextCursor } = q.batches
    ? { keys: q.batches, next: null }
    : await historyKeys(db, where, q.limit, q.cursor ? Number(q.cursor) : undefined);
  const batchIds = keys.filter((k) => !k.startsWith("task-"));
  const singles = keys.filter((k) => k.startsWith("task-")).map((k) => Number(k.slice(5)));
  const stamps = await batchStamps(db, batchIds);
  const stale = batchIds.filter((k) => stamps.has(k) && !summaries.get(k, stamps.get(k)!));
  // Not the results: a sweep's 10,000 equity curves would be read to show four numbers.
  const members: TaskRow[] = await db.task.findMany({
    where: { type: "backtest", OR: [{ batchId: { in: stale } }, { id: { in: singles } }] },
    orderBy: { id: "asc" },
    select: { ...SELECT, result: false },
  });
  const figures = await backtestFigures(
    db,
    members.filter((m) => m.status === "succeeded").map((m) => m.id),
  );
  const byKey = new Map<string, TaskRow[]>();
  for (const m of members) {
    const k = m.batchId ?? `task-${m.id}`;
    const group = byKey.get(k);
    if (group) group.push(m);
    else byKey.set(k, [m]);
  }
  for (const k of stale) if (byKey.has(k)) summaries.set(k, stamps.get(k)!, summarize(k, byKey.get(k)!, figures));
  const found = keys
    .map((k) => (k.startsWith("task-") ? (byKey.has(k) ? summarize(k, byKey.get(k)!, figures) : undefined) : summaries.get(k, stamps.get(k) ?? "")))
    .filter((x): x is BacktestBatchSummary => x !== undefined);
  // Schedule names are looked up for every answer: a schedule renamed shows its new name.
  const names = await scheduleNames(found.map((b) => b.schedule_id));
  const items = found.map((b) => ({ ...b, schedule_name: b.schedule_id ? (names.get(b.schedule_id) ?? null) : null }));
  return { json: { items, next_cursor: nextCursor } };
}

function summarize(key: string, tasks: TaskRow[], figures: Map<number, BacktestFigures>): BacktestBatchSummary {
  const first = tasks[0];
  const p = parse<{ strategy: string; params?: Record<string, number>; start?: string; end?: string; benchmark?: string | null }>(
    first?.payload ?? null,
  );
  const { counts, progress } = rollUp(tasks);
  const sharpe: { fund_code: string; value: number }[] = [];
  const ret: { fund_code: string; value: number }[] = [];
  const funds = new Map<string, string | null>();
  // Every value each param takes across the batch: more than one makes it a swept param.
  const values = new Map<string, Set<number>>();
  for (const t of tasks) {
    const tp = parse<{ fund_code: string; params?: Record<string, number> }>(t.payload);
    for (const [k, v] of Object.entries(tp?.params ?? {})) values.set(k, (values.get(k) ?? new Set()).add(v));
    const r = figures.get(t.id);
    const code = tp?.fund_code ?? "?";
    if (!funds.has(code) || (funds.get(code) === null && r?.fund_name)) funds.set(code, r?.fund_name ?? null);
    if (r?.metrics) {
      ret.push({ fund_code: code, value: r.metrics.total_return });
      if (r.metrics.sharpe !== null) sharpe.push({ fund_code: code, value: r.metrics.sharpe });
    }
  }
  const best = (xs: { fund_code: string; value: number }[]) =>
    xs.reduce<{ fund_code: string; value: number } | null>((b, x) => (!b || x.value > b.value ? x : b), null);
  return {
    batch_id: key,
    strategy: p?.strategy ?? "?",
    params: p?.params ?? {},
    start: p?.start ?? null,
    end: p?.end ?? null,
    benchmark: p?.benchmark === undefined ? DEFAULT_BENCHMARK : p.benchmark,
    author: first?.createdBy ?? null,
    schedule_id: first?.scheduleId ?? null,
    schedule_name: null,
    created_at: (first?.createdAt ?? new Date(0)).toISOString(),
    total: tasks.length,
    counts,
    progress: Math.round(progress),
    fund_count: funds.size,
    funds: [...funds.entries()].slice(0, 5).map(([fund_code, fund_name]) => ({ fund_code, fund_name })),
    swept: Object.fromEntries([...values.entries()].filter(([, vs]) => vs.size > 1).map(([k, vs]) => [k, [...vs].sort((a, b) => a - b)])),
    median_sharpe: median(sharpe.map((x) => x.value)),
    best_sharpe: best(sharpe),
    median_return: median(ret.map((x) => x.value)),
    best_return: best(ret),
  };
}

/** Screen runs side by side, with the funds that entered and left between each and the next (by their match rows). */
export async function compareScreenRuns({ query }: Input<typeof compareScreens>): Promise<Output<typeof compareScreens>> {
  const { db } = await getDatabase();
  const rows: TaskRow[] = await db.task.findMany({ where: { id: { in: query.ids }, type: "strategy_screen" }, orderBy: { id: "asc" }, select: SELECT });
  const missing = query.ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length > 0) throw new HttpError("not_found", `no screen run ${missing.join(", ")}`);
  const names = await scheduleNames(rows.map((r) => r.scheduleId));
  const matches = new Map<number, Map<string, string | null>>();
  for (const r of rows) {
    const hits = await db.resultRow.findMany({ where: { taskId: r.id }, select: { rowKey: true, data: true } });
    matches.set(r.id, new Map(hits.map((h) => [h.rowKey, parse<{ fund_name?: string }>(h.data)?.fund_name ?? null])));
  }
  const refs = (codes: string[], from: Map<string, string | null>) =>
    codes.sort().map((fund_code) => ({ fund_code, fund_name: from.get(fund_code) ?? null }));
  const changes = rows.slice(1).map((to, i) => {
    const before = matches.get(rows[i].id)!;
    const after = matches.get(to.id)!;
    return {
      from: String(rows[i].id),
      to: String(to.id),
      entered: refs([...after.keys()].filter((c) => !before.has(c)), after),
      left: refs([...before.keys()].filter((c) => !after.has(c)), before),
      stayed: [...after.keys()].filter((c) => before.has(c)).length,
    };
  });
  const runs = rows.map((r) => {
    const { applied, ...json } = screenRun(r, names)!;
    return { ...json, params_applied: applied };
  });
  return { json: { runs, changes } };
}
