"use client";
/**
 * Trends over 7, 30 or 90 days from the daily roll-up: runs per day by outcome, p50/p95 of
 * duration and of wait (due → start), for a type, a queue or the fleet; the range's totals above.
 */
import { useState } from "react";
import { Card, Col, Empty, Row, Segmented, Space, Statistic, Tooltip, Typography } from "antd";
import type { TrendsJson } from "@/contracts/trends";
import { formatDuration, formatTime } from "../format";
import { useI18n } from "../i18n";
import { useTrendsQuery } from "../hooks/useTrends";
import { Chart } from "./charts";

type Days = 7 | 30 | 90;

function RunsChart({ data }: { data: TrendsJson }) {
  const { t } = useI18n();
  const tt = t.trends;
  const series = [
    { key: "succeeded", name: tt.succeeded, color: "#52c41a" },
    { key: "failed", name: tt.failed, color: "#ff4d4f" },
    { key: "cancelled", name: tt.cancelled, color: "#fa8c16" },
    { key: "requeued", name: tt.requeued, color: "#8c8c8c" },
  ] as const;
  return (
    <Chart
      style={{ height: 220 }}
      notMerge
      option={{
        animation: false,
        grid: { left: 44, right: 12, top: 28, bottom: 24 },
        legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 8 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.items.map((i) => i.day.slice(5)) },
        yAxis: { type: "value", minInterval: 1 },
        series: series.map((s) => ({
          name: s.name,
          type: "bar",
          stack: "runs",
          data: data.items.map((i) => i[s.key]),
          itemStyle: { color: s.color },
        })),
      }}
    />
  );
}

function PercentileChart({ data, which }: { data: TrendsJson; which: "duration" | "wait" }) {
  const p50 = data.items.map((i) => (which === "duration" ? i.duration_p50_ms : i.wait_p50_ms));
  const p95 = data.items.map((i) => (which === "duration" ? i.duration_p95_ms : i.wait_p95_ms));
  return (
    <Chart
      style={{ height: 200 }}
      notMerge
      option={{
        animation: false,
        grid: { left: 56, right: 12, top: 28, bottom: 24 },
        legend: { top: 0, right: 0, itemWidth: 12, itemHeight: 8 },
        tooltip: { trigger: "axis", valueFormatter: (v: unknown) => (typeof v === "number" ? formatDuration(v) : "—") },
        xAxis: { type: "category", data: data.items.map((i) => i.day.slice(5)) },
        yAxis: { type: "log", logBase: 10, axisLabel: { formatter: (v: number) => formatDuration(v) } },
        series: [
          { name: "p50", type: "line", data: p50, connectNulls: false, symbolSize: 4, itemStyle: { color: "#1677ff" } },
          {
            name: "p95",
            type: "line",
            data: p95,
            connectNulls: false,
            symbolSize: 4,
            itemStyle: { color: "#722ed1" },
            lineStyle: { type: "dashed" },
          },
        ],
      }}
    />
  );
}

/** The trend card: a range switch, the totals, and the three charts. */
export function TrendCard({ title, type, queue, initialDays = 30 }: { title: React.ReactNode; type?: string; queue?: string; initialDays?: Days }) {
  const { t, lang } = useI18n();
  const [days, setDays] = useState<Days>(initialDays);
  const q = useTrendsQuery(days, { type, queue });
  const d = q.data;
  const total = d?.totals;
  const failRate = total && total.succeeded + total.failed > 0 ? total.failed / (total.succeeded + total.failed) : null;
  return (
    <Card
      size="small"
      title={title}
      data-testid="trend-card"
      extra={
        <Space>
          {d?.rolled_at && (
            <Tooltip title={t.trends.asOfHint(d.time_zone)}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t.trends.asOf(formatTime(d.rolled_at, lang))}
              </Typography.Text>
            </Tooltip>
          )}
          <Segmented
            size="small"
            value={days}
            onChange={(v) => setDays(v as Days)}
            options={[
              { value: 7, label: t.trends.days(7) },
              { value: 30, label: t.trends.days(30) },
              { value: 90, label: t.trends.days(90) },
            ]}
            data-testid="trend-days"
          />
        </Space>
      }
    >
      {!d ? (
        <div style={{ height: 220 }} />
      ) : total && total.runs === 0 ? (
        <Empty description={t.trends.empty} />
      ) : (
        <>
          <Row gutter={[16, 8]} style={{ marginBottom: 8 }} data-testid="trend-totals">
            <Col xs={12} md={4}>
              <Statistic title={t.trends.runs} value={total?.runs ?? 0} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic
                title={t.trends.failRate}
                value={failRate === null ? "—" : (failRate * 100).toFixed(1)}
                suffix={failRate === null ? undefined : "%"}
              />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t.trends.durationP50} value={formatDuration(total?.duration_p50_ms)} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t.trends.durationP95} value={formatDuration(total?.duration_p95_ms)} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t.trends.waitP50} value={formatDuration(total?.wait_p50_ms)} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t.trends.waitP95} value={formatDuration(total?.wait_p95_ms)} />
            </Col>
          </Row>
          <Typography.Text strong>{t.trends.runsPerDay}</Typography.Text>
          <RunsChart data={d} />
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Typography.Text strong>{t.trends.duration}</Typography.Text>
              <PercentileChart data={d} which="duration" />
            </Col>
            <Col xs={24} lg={12}>
              <Typography.Text strong>{t.trends.wait}</Typography.Text>
              <PercentileChart data={d} which="wait" />
            </Col>
          </Row>
        </>
      )}
    </Card>
  );
}
