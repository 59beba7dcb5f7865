"use client";
/** One backtest's result on /backtests: the curves, every figure (MetricsList) and what it saw (ProvenanceCard). */
import { Descriptions, Space } from "antd";
import type { BacktestMetrics } from "@/contracts/backtests";
import { useI18n } from "../i18n";
import { useTaskQuery } from "../hooks/useTasks";
import { BacktestChart } from "../tasks/charts";
import { ProvenanceCard, type Provenance } from "../tasks/ProvenanceCard";
import { pctCell } from "./SnifferPage";

type Dict = ReturnType<typeof useI18n>["t"];

/** A fraction as a percentage with 2 decimals, "—" when not defined. */
export const pctText = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(2)}%`);
/** A ratio with 2 decimals, "—" when not defined. */
export const ratioText = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toFixed(2));

/** Every figure of one backtest, grouped: returns and risk, drawdown, trading, against the benchmark. */
function MetricsList({ m, t, benchName }: { m: BacktestMetrics; t: Dict; benchName: string | null }) {
  const b = t.backtests;
  const items: [string, React.ReactNode][] = [
    [b.totalReturn, pctCell(m.total_return)],
    [b.annualized, m.annualized_return === null ? "—" : pctCell(m.annualized_return)],
    [b.volatility, pctText(m.volatility)],
    [b.sharpe, ratioText(m.sharpe)],
    [b.sortino, ratioText(m.sortino)],
    [b.calmar, ratioText(m.calmar)],
    [b.maxDrawdown, pctText(m.max_drawdown)],
    [b.ddPeak, m.max_drawdown_peak ?? "—"],
    [b.ddTrough, m.max_drawdown_trough ?? "—"],
    [b.ddRecovery, m.max_drawdown_peak ? (m.max_drawdown_recovery ?? b.notRecovered) : "—"],
    [b.ddLength, m.max_drawdown_peak ? b.ddDays(m.max_drawdown_days) : "—"],
    [b.trades, m.trades],
    [b.roundTrips, m.round_trips],
    [b.winRate, pctText(m.win_rate)],
    [b.profitFactor, ratioText(m.profit_factor)],
    [b.exposure, pctText(m.exposure)],
    [b.buyHold, pctCell(m.buy_hold_return)],
    [`${b.benchmarkReturn}${benchName ? ` (${benchName})` : ""}`, m.benchmark_return === null ? "—" : pctCell(m.benchmark_return)],
    [b.excess, m.excess_return === null ? "—" : pctCell(m.excess_return)],
    [b.beta, ratioText(m.beta)],
    [b.alpha, pctText(m.alpha)],
    [b.trackingError, pctText(m.tracking_error)],
    [b.informationRatio, ratioText(m.information_ratio)],
  ];
  return (
    <Descriptions size="small" bordered column={{ xs: 1, sm: 2, lg: 4 }} data-testid="backtest-metrics">
      {items.map(([label, value]) => (
        <Descriptions.Item key={label} label={label}>
          {value}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

type EquityPoint = { date: string; value: number; buy_hold?: number; benchmark?: number | null; drawdown?: number };

/** One backtest: its chart (strategy, buy and hold, benchmark, drawdown), its equity CSV, every figure and its provenance. */
export function BacktestDetail({ taskId, benchName }: { taskId: string; benchName: (code: string | null) => string | null }) {
  const { t } = useI18n();
  const q = useTaskQuery(taskId, { untilFinished: true });
  const result = q.data?.task.result as { metrics?: BacktestMetrics; equity?: EquityPoint[]; provenance?: Provenance } | null | undefined;
  if (!result?.equity || !result.metrics) return null;
  const bench = benchName(result.metrics.benchmark);
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <BacktestChart
        points={result.equity}
        names={{ strategy: t.backtests.strategySeries, buyHold: t.backtests.buyHold, benchmark: bench, drawdown: t.backtests.drawdownSeries }}
      />
      <a href={`/api/backtests/tasks/${taskId}/equity/download`} download data-testid="equity-csv">
        {t.backtests.exportEquity}
      </a>
      <MetricsList m={result.metrics} t={t} benchName={bench} />
      {result.provenance && <ProvenanceCard p={result.provenance} />}
    </Space>
  );
}
