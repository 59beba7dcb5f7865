/**
 * Each finished backtest's fund name and metrics, read from its one metrics result row (about
 * 1 KB) rather than from its result (which carries the equity curve and trades, tens of KB):
 * a 10,000-run sweep's page and the history read these. Backtests stored before the row
 * existed are read from their result.
 */
import { BacktestMetrics } from "@/contracts/backtests";
import type { Db } from "@/db/client";

/** What the batch pages need of one backtest. */
export interface BacktestFigures {
  fund_name: string | null;
  metrics: BacktestMetrics;
}

const METRIC_KEYS = Object.keys(BacktestMetrics.shape) as (keyof BacktestMetrics)[];
/** Ids per IN list: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 5000;

function pick(data: Record<string, unknown>): BacktestFigures {
  const metrics = Object.fromEntries(METRIC_KEYS.map((k) => [k, data[k] ?? null])) as BacktestMetrics;
  return { fund_name: typeof data.fund_name === "string" ? data.fund_name : null, metrics };
}

/** The figures of the given (succeeded) backtests, by task id; tasks without figures are absent. */
export async function backtestFigures(db: Db, taskIds: number[]): Promise<Map<number, BacktestFigures>> {
  const out = new Map<number, BacktestFigures>();
  for (let i = 0; i < taskIds.length; i += CHUNK) {
    const rows = await db.resultRow.findMany({ where: { taskId: { in: taskIds.slice(i, i + CHUNK) } }, select: { taskId: true, data: true } });
    for (const r of rows) {
      const data = JSON.parse(r.data) as Record<string, unknown>;
      if (typeof data.total_return === "number") out.set(r.taskId, pick(data));
    }
  }
  const legacy = taskIds.filter((id) => !out.has(id));
  for (let i = 0; i < legacy.length; i += CHUNK) {
    const rows = await db.task.findMany({ where: { id: { in: legacy.slice(i, i + CHUNK) } }, select: { id: true, result: true } });
    for (const r of rows) {
      const res = r.result ? (JSON.parse(r.result) as { fund_name?: string; metrics?: Record<string, unknown> }) : null;
      if (res?.metrics) out.set(r.id, pick({ ...res.metrics, fund_name: res.fund_name }));
    }
  }
  return out;
}
