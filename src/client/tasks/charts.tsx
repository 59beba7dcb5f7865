"use client";
/** Small charts (ECharts, canvas, only the parts used): throughput per minute and duration by type. */
import ReactEChartsCore from "echarts-for-react/lib/core";
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import type { OverviewResponse, TypeStatistics } from "@/contracts/overview";
import { useI18n } from "../i18n";
import { formatDuration } from "../format";

echarts.use([BarChart, LineChart, DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function ThroughputChart({ points }: { points: OverviewResponse["stats"]["throughput"] }) {
  const { t, lang } = useI18n();
  const labels = points.map((p) =>
    new Date(p.minute).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit", hour12: false }),
  );
  return (
    <ReactEChartsCore
      echarts={echarts}
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
    <ReactEChartsCore
      echarts={echarts}
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

/** Equity curves (one line per series), with zoom. */
export function EquityChart({ series }: { series: { name: string; points: { date: string; value: number }[] }[] }) {
  return (
    <ReactEChartsCore
      echarts={echarts}
      style={{ height: 320 }}
      notMerge
      option={{
        animation: false,
        grid: { left: 50, right: 20, top: 30, bottom: 60 },
        legend: { top: 0 },
        tooltip: { trigger: "axis", valueFormatter: (v: number) => v.toFixed(4) },
        xAxis: { type: "time" },
        yAxis: { type: "value", scale: true },
        dataZoom: [{ type: "inside" }, { type: "slider", height: 20, bottom: 10 }],
        series: series.map((s) => ({ name: s.name, type: "line", showSymbol: false, data: s.points.map((p) => [p.date, p.value]) })),
      }}
    />
  );
}
