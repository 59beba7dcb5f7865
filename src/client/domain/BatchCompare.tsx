"use client";
/**
 * Backtest batches compared (/backtests?batches=a,b,…): their setup and headline figures side by
 * side — strategy, window, benchmark, params (a sweep's ranges), funds, status, median and best
 * Sharpe and return — cells that differ from the first batch highlighted; downloadable as CSV.
 * A batch holds many funds, so there is no one curve to overlay: runs are compared one by one in
 * BacktestCompare.
 */
import { Card } from "antd";
import type { BacktestStrategy } from "@/contracts/backtests";
import type { BacktestBatchSummary } from "@/contracts/research";
import { sweepableSpecs } from "@/contracts/sweeps";
import { useI18n } from "../i18n";
import { formatTime } from "../format";
import { useBatchComparison } from "../hooks/useResearch";
import { pctText, ratioText } from "./BacktestDetail";
import { CompareActions, compareRowsOf, downloadCsv, SideBySide } from "./SideBySide";

export function BatchCompare({ ids, onClose, strategies }: { ids: string[]; onClose: () => void; strategies: Record<string, string> }) {
  const { t, lang } = useI18n();
  const h = t.history;
  const q = useBatchComparison(ids);
  const batches = q.data?.items ?? [];
  const { rows, add } = compareRowsOf<BacktestBatchSummary>(batches);
  const best = (x: { fund_code: string; value: number } | null, fmt: (v: number) => string) => (x ? `${fmt(x.value)} (${x.fund_code})` : null);
  add("strategy", h.strategy, (b) => strategies[b.strategy] ?? b.strategy);
  add("when", h.when, (b) => formatTime(b.created_at, lang));
  add("who", h.who, (b) => b.author ?? (b.schedule_name ? h.bySchedule(b.schedule_name) : null));
  add("window", h.window, (b) => `${b.start ?? "…"} → ${b.end ?? "…"}`);
  add("benchmark", t.backtests.benchmark, (b) => b.benchmark ?? t.backtests.noBenchmark);
  // The params the batches' strategies read (a stored payload carries every strategy's defaults).
  const keys = [...new Set(batches.flatMap((b) => sweepableSpecs(b.strategy as BacktestStrategy).map((p) => p.key)))];
  for (const k of keys) add(`param:${k}`, k, (b) => (b.swept[k] ? b.swept[k].join(", ") : b.params[k]));
  add("funds", h.fundCount, (b) => b.fund_count);
  add("tasks", h.tasks, (b) => b.total);
  add("status", h.status, (b) =>
    Object.entries(b.counts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${t.status[s as keyof typeof t.status] ?? s} ${n}`)
      .join(" · "),
  );
  add("median_sharpe", h.medianSharpe, (b) => ratioText(b.median_sharpe));
  add("best_sharpe", h.bestSharpe, (b) => best(b.best_sharpe, (v) => v.toFixed(2)));
  add("median_return", h.medianReturn, (b) => pctText(b.median_return));
  add("best_return", h.bestReturn, (b) => best(b.best_return, pctText));

  const download = () => downloadCsv("backtest-batches-compare.csv", batches.map((b) => b.batch_id), rows);
  return (
    <Card
      size="small"
      loading={q.isLoading}
      title={h.batchCompareTitle(batches.length)}
      data-testid="batch-compare"
      extra={<CompareActions onDownload={download} onClose={onClose} empty={batches.length === 0} csvTestId="batch-compare-csv" />}
    >
      <SideBySide rows={rows} titles={batches.map((b) => b.batch_id)} keys={batches.map((b) => b.batch_id)} />
    </Card>
  );
}
