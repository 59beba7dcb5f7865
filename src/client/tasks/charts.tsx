"use client";
/** Small charts (ECharts, canvas, only the parts used): throughput per minute, duration by type, backtest equity and drawdown, NAV. */
import ReactEChartsCore from "echarts-for-react/lib/core";
import type { EChartsReactProps } from "echarts-for-react/lib/types";
import * as echarts from "echarts/core";
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import type { OverviewResponse, TypeStatistics } from "@/contracts/overview";
import { useI18n } from "../i18n";
import { formatDuration } from "../format";
import { useTheme } from "../theme";

echarts.use([BarChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** An ECharts chart in the page's theme (ECharts' dark theme on a transparent background in dark mode). */
export function Chart(props: Omit<EChartsReactProps, "echarts" | "theme">) {
  const { resolved } = useTheme();
  const dark = resolved === "dark";
  return (
    <ReactEChartsCore
      {...props}
      echarts={echarts}
      theme={dark ? "dark" : undefined}
      option={dark ? { backgroundColor: "transparent", ...props.option } : props.option}
    />
  );
}

export function ThroughputChart({ points }: { points: OverviewResponse["stats"]["throughput"] }) {
  const { t, lang } = useI18n();
  const labels = points.map((p) =>
    new Date(p.minute).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit", hour12: false }),
  );
  return (
    <Chart
      style={{ height: 200 }}
      notMerge
      option={{
        animation: false,
        grid: { left: 40, right: 12, top: 28, bottom: 24 },
        legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 8 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: labels, axisLabel: { interval: 9 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: t.tasks.succeededSeries, type: "bar", stack: "n", data: points.map((p) => p.succeeded), itemStyle: { color: "#52c41a" } },
          { name: t.tasks.failedSeries, type: "bar", stack: "n", data: points.map((p) => p.failed), itemStyle: { color: "#ff4d4f" } },
        ],
      }}
    />
  );
}

export function TimingChart({ items }: { items: TypeStatistics[] }) {
  const { t } = useI18n();
  const rows = items.filter((i) => i.p50_ms !== null);
  return (
    <Chart
      style={{ height: Math.max(160, rows.length * 36 + 60) }}
      notMerge
      option={{
        animation: false,
        grid: { left: 110, right: 24, top: 28, bottom: 24 },
        legend: { top: 0, right: 0 },
        tooltip: { trigger: "axis", valueFormatter: (v: number) => formatDuration(v) },
        xAxis: { type: "value", axisLabel: { formatter: (v: number) => formatDuration(v) } },
        yAxis: { type: "category", data: rows.map((r) => r.type), inverse: true },
        series: [
          { name: t.tasks.timing.p50, type: "bar", data: rows.map((r) => r.p50_ms), itemStyle: { color: "#1f6feb" } },
          { name: t.tasks.timing.p95, type: "bar", data: rows.map((r) => r.p95_ms), itemStyle: { color: "#faad14" } },
        ],
      }}
    />
  );
}

/** Two grids sharing the time axis and the zoom: equity above, drawdown (≤ 0, in %) below. */
const EQUITY_OVER_DRAWDOWN = {
  axisPointer: { link: [{ xAxisIndex: "all" }] },
  grid: [
    { left: 56, right: 20, top: 34, height: 226 },
    { left: 56, right: 20, top: 290, height: 70 },
  ],
  xAxis: [
    { type: "time", gridIndex: 0, axisLabel: { show: false } },
    { type: "time", gridIndex: 1 },
  ],
  yAxis: [
    { type: "value", scale: true, gridIndex: 0, axisLabel: { formatter: (v: number) => v.toFixed(2) } },
    { type: "value", gridIndex: 1, max: 0, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
  ],
  dataZoom: [
    { type: "inside", xAxisIndex: [0, 1] },
    { type: "slider", xAxisIndex: [0, 1], height: 18, bottom: 8 },
  ],
};

/**
 * A backtest: strategy, buy-and-hold and benchmark equity on one chart, the strategy's
 * drawdown (as a negative percentage) in a second grid underneath, sharing the zoom.
 */
export function BacktestChart({
  points,
  names,
}: {
  points: { date: string; value: number; buy_hold?: number; benchmark?: number | null; drawdown?: number }[];
  names: { strategy: string; buyHold: string; benchmark: string | null; drawdown: string };
}) {
  const lines: { name: string; data: [string, number][]; color: string }[] = [
    { name: names.strategy, data: points.map((p) => [p.date, p.value]), color: "#1f6feb" },
  ];
  if (points.some((p) => p.buy_hold !== undefined))
    lines.push({ name: names.buyHold, data: points.map((p) => [p.date, p.buy_hold ?? Number.NaN]), color: "#8c8c8c" });
  if (names.benchmark && points.some((p) => p.benchmark !== null && p.benchmark !== undefined))
    lines.push({ name: names.benchmark, data: points.map((p) => [p.date, p.benchmark ?? Number.NaN]), color: "#fa8c16" });
  return (
    <Chart
      style={{ height: 420 }}
      notMerge
      option={{
        animation: false,
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        ...EQUITY_OVER_DRAWDOWN,
        series: [
          ...lines.map((l) => ({
            name: l.name,
            type: "line",
            showSymbol: false,
            data: l.data,
            lineStyle: { width: 1.5, color: l.color },
            itemStyle: { color: l.color },
            tooltip: { valueFormatter: (v: number) => v.toFixed(4) },
          })),
          {
            name: names.drawdown,
            type: "line",
            xAxisIndex: 1,
            yAxisIndex: 1,
            showSymbol: false,
            data: points.map((p) => [p.date, p.drawdown ?? 0]),
            lineStyle: { width: 1, color: "#389e0d" },
            itemStyle: { color: "#389e0d" },
            areaStyle: { color: "rgba(56,158,13,0.25)" },
            tooltip: { valueFormatter: (v: number) => `${(v * 100).toFixed(2)}%` },
          },
        ],
      }}
    />
  );
}

/** One NAV series (unit, accumulated or adjusted) with its dividends and splits marked on the line. */
export function NavChart({
  name,
  points,
  marks,
}: {
  name: string;
  points: { date: string; value: number }[];
  marks: { date: string; label: string }[];
}) {
  const byDate = new Map(points.map((p) => [p.date, p.value]));
  return (
    <Chart
      style={{ height: 320 }}
      notMerge
      option={{
        animation: false,
        grid: { left: 56, right: 20, top: 20, bottom: 60 },
        tooltip: { trigger: "axis", valueFormatter: (v: number) => v.toFixed(4) },
        xAxis: { type: "time" },
        yAxis: { type: "value", scale: true },
        dataZoom: [{ type: "inside" }, { type: "slider", height: 20, bottom: 10 }],
        series: [
          { name, type: "line", showSymbol: false, data: points.map((p) => [p.date, p.value]), lineStyle: { width: 1.5, color: "#1f6feb" } },
          {
            name: "actions",
            type: "scatter",
            symbolSize: 7,
            itemStyle: { color: "#cf1322" },
            tooltip: { trigger: "item", formatter: (p: { data: [string, number, string] }) => `${p.data[0]} ${p.data[2]}` },
            data: marks.filter((m) => byDate.has(m.date)).map((m) => [m.date, byDate.get(m.date), m.label]),
          },
        ],
      }}
    />
  );
}

/**
 * Backtests compared: each run's equity from 1 (so runs with different capital line up), the
 * first run's benchmark dashed, and every run's drawdown in a second grid underneath.
 */
export function CompareChart({
  series,
  benchmark,
  drawdownLabel,
}: {
  series: { name: string; points: { date: string; value: number; benchmark?: number | null; drawdown?: number }[] }[];
  benchmark: string | null;
  drawdownLabel: string;
}) {
  const rel = (pts: { value: number }[]) => (pts.length ? pts[0].value : 1);
  const first = series[0]?.points ?? [];
  const benchStart = first.find((p) => p.benchmark !== null && p.benchmark !== undefined)?.benchmark ?? null;
  return (
    <Chart
      style={{ height: 420 }}
      notMerge
      option={{
        animation: false,
        legend: { top: 0, type: "scroll" },
        tooltip: { trigger: "axis" },
        ...EQUITY_OVER_DRAWDOWN,
        series: [
          ...series.map((s) => ({
            name: s.name,
            type: "line",
            showSymbol: false,
            data: s.points.map((p) => [p.date, p.value / rel(s.points)]),
            tooltip: { valueFormatter: (v: number) => v.toFixed(4) },
          })),
          ...(benchmark && benchStart
            ? [
                {
                  name: benchmark,
                  type: "line",
                  showSymbol: false,
                  lineStyle: { type: "dashed", color: "#8c8c8c" },
                  itemStyle: { color: "#8c8c8c" },
                  data: first
                    .filter((p) => p.benchmark !== null && p.benchmark !== undefined)
                    .map((p) => [p.date, (p.benchmark as number) / benchStart]),
                },
              ]
            : []),
          ...series.map((s) => ({
            name: `${s.name} ${drawdownLabel}`,
            type: "line",
            xAxisIndex: 1,
            yAxisIndex: 1,
            showSymbol: false,
            lineStyle: { width: 1 },
            data: s.points.map((p) => [p.date, p.drawdown ?? 0]),
            tooltip: { valueFormatter: (v: number) => `${(v * 100).toFixed(2)}%` },
          })),
        ],
      }}
    />
  );
}
