"use client";
/**
 * Comparing two to five backtest runs (/backtests?compare=id,id,…): a side-by-side table of
 * their setup and every figure, cells that differ from the first run highlighted; their equity
 * curves overlaid (each from 1, with the first run's benchmark) and their drawdowns underneath;
 * the table downloads as CSV. The runs to compare are picked on the batch tables and kept in
 * this browser's session (useCompareBasket), so runs of different batches can be compared.
 */
import { useCallback, useEffect, useState } from "react";
import { useQueries } from "@tanstack/react-query";
import { Card } from "antd";
import type { ResponseOf } from "@/contracts/endpoint";
import type { BacktestMetrics, BacktestStrategy } from "@/contracts/backtests";
import { sweepableSpecs } from "@/contracts/sweeps";
import type { getTask } from "@/contracts/tasks";
import { apiFetch } from "../api";
import { useI18n } from "../i18n";
import { CompareChart } from "../tasks/charts";
import { CompareActions, compareRowsOf, downloadCsv, MAX_COMPARE, SideBySide } from "./SideBySide";

const KEY = "qtask.compare.backtests";

/** The task ids picked for comparison, kept in sessionStorage so they survive moving between batches. */
export function useCompareBasket(): { ids: string[]; toggle: (id: string) => void; set: (ids: string[]) => void } {
  const [ids, setIds] = useState<string[]>([]);
  useEffect(() => {
    try {
      setIds((JSON.parse(window.sessionStorage.getItem(KEY) ?? "[]") as unknown[]).map(String).slice(0, MAX_COMPARE));
    } catch {
      setIds([]);
    }
  }, []);
  const set = useCallback((next: string[]) => {
    const v = [...new Set(next)].slice(0, MAX_COMPARE);
    setIds(v);
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(v));
    } catch {
      // storage disabled: the basket lives as long as the page
    }
  }, []);
  const toggle = useCallback((id: string) => set(ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]), [ids, set]);
  return { ids, toggle, set };
}

interface RunResult {
  fund_code?: string;
  fund_name?: string;
  strategy?: string;
  metrics?: BacktestMetrics;
  equity?: { date: string; value: number; benchmark?: number | null; drawdown?: number }[];
  provenance?: { params?: Record<string, number>; window?: { start: string | null; end: string | null } };
}

/** The rows of the comparison: setup first, then every figure; one cell per run. */
function compareRows(runs: { id: string; r: RunResult }[], metricLabels: Record<string, string>) {
  const { rows, add: addRow } = compareRowsOf(runs);
  const add = (key: string, label: string, f: (r: RunResult) => unknown) => addRow(key, label, (x) => f(x.r));
  add("fund", "fund", (r) => `${r.fund_code ?? "?"} ${r.fund_name ?? ""}`.trim());
  add("strategy", "strategy", (r) => r.strategy);
  add("window", "window", (r) => (r.provenance?.window ? `${r.provenance.window.start ?? "…"} → ${r.provenance.window.end ?? "…"}` : null));
  // The params the runs' strategies read (the provenance records every strategy's defaults).
  const paramKeys = [...new Set(runs.flatMap(({ r }) => sweepableSpecs(r.strategy as BacktestStrategy).map((p) => p.key)))];
  for (const k of paramKeys) add(`param:${k}`, k, (r) => r.provenance?.params?.[k]);
  const metricKeys = Object.keys(runs[0]?.r.metrics ?? {}) as (keyof BacktestMetrics)[];
  for (const k of metricKeys) add(`metric:${k}`, metricLabels[k] ?? k, (r) => r.metrics?.[k]);
  return rows;
}

export function BacktestCompare({ ids, onClose }: { ids: string[]; onClose: () => void }) {
  const { t } = useI18n();
  const queries = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["task", id],
      queryFn: () => apiFetch<ResponseOf<typeof getTask>>(`/api/tasks/${id}`),
    })),
  });
  const runs = queries
    .map((q, i) => ({ id: ids[i], r: (q.data?.task.result ?? null) as RunResult | null }))
    .filter((x): x is { id: string; r: RunResult } => !!x.r?.metrics);
  const labels = t.backtests.metricNames as Record<string, string>;
  const rows = compareRows(runs, labels);
  // The params that differ between the runs name them too: two runs of one sweep on one fund differ only there.
  const differing = [...new Set(runs.flatMap(({ r }) => sweepableSpecs(r.strategy as BacktestStrategy).map((p) => p.key)))].filter(
    (k) => new Set(runs.map(({ r }) => r.provenance?.params?.[k])).size > 1,
  );
  const name = (x: { id: string; r: RunResult }) =>
    [
      `#${x.id} ${x.r.fund_code ?? ""} ${t.backtests.strategies[x.r.strategy ?? ""] ?? x.r.strategy ?? ""}`,
      ...differing.map((k) => `${k}=${x.r.provenance?.params?.[k]}`),
    ].join(" ");
  const download = () => downloadCsv(`backtest-compare-${ids.join("-")}.csv`, runs.map(name), rows);
  return (
    <Card
      size="small"
      title={t.backtests.compareTitle(runs.length)}
      data-testid="backtest-compare"
      extra={<CompareActions onDownload={download} onClose={onClose} empty={runs.length === 0} csvTestId="compare-csv" />}
    >
      {runs.length > 0 && (
        <CompareChart
          series={runs.map((x) => ({ name: name(x), points: x.r.equity ?? [] }))}
          benchmark={runs[0].r.metrics?.benchmark ?? null}
          drawdownLabel={t.backtests.drawdownSeries}
        />
      )}
      <SideBySide rows={rows} titles={runs.map(name)} keys={runs.map((x) => x.id)} />
    </Card>
  );
}
