"use client";
/** The top of /tasks: the cards 总任务数 / 运行中 / 今日执行 / 成功率, the last hour's throughput, the workers, the queue panel and the fleet's trend. */
import { Badge, Card, Col, Row, Space, Statistic, Tag, Tooltip, Typography } from "antd";
import type { OverviewResponse } from "@/contracts/overview";
import { formatTime } from "../format";
import { useI18n } from "../i18n";
import { ThroughputChart } from "./charts";
import { QueuesCard } from "./QueuesCard";
import { TrendCard } from "./Trends";

/** The overview's figures; dashes while `overview` is loading. */
export function OverviewPanel({ overview: o }: { overview: OverviewResponse | undefined }) {
  const { t, lang } = useI18n();
  const total = o ? Object.values(o.counts).reduce((a, b) => a + b, 0) : undefined;
  const rate = o?.stats.today.success_rate;
  return (
    <>
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t.tasks.cards.total} value={total ?? "—"} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t.tasks.cards.running}
              value={o?.counts.running ?? "—"}
              suffix={
                o ? (
                  <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                    / {t.tasks.cards.queued} {o.counts.queued}
                  </Typography.Text>
                ) : null
              }
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t.tasks.cards.today} value={o?.stats.today.total ?? "—"} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t.tasks.cards.successRate}
              value={rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1)}
              suffix={rate === null || rate === undefined ? undefined : "%"}
              valueStyle={{ color: rate !== null && rate !== undefined && rate < 0.9 ? "#cf1322" : undefined }}
            />
          </Card>
        </Col>
      </Row>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card size="small" title={t.tasks.throughput}>
            {o ? <ThroughputChart points={o.stats.throughput} /> : <div style={{ height: 200 }} />}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={`${t.tasks.workers} · ${o?.workers.length ?? 0}`} style={{ height: "100%" }}>
            {o && o.workers.length === 0 ? (
              <Typography.Text type="warning">{t.tasks.noWorkers}</Typography.Text>
            ) : (
              <Space direction="vertical" size={4} style={{ width: "100%" }}>
                {o?.workers.map((w) => (
                  <div key={w.id} style={{ display: "flex", justifyContent: "space-between" }}>
                    <Tooltip title={formatTime(w.last_seen_at, lang)}>
                      <Badge status="success" text={<Typography.Text style={{ fontSize: 13 }}>{w.id}</Typography.Text>} />
                    </Tooltip>
                    <Tag>{w.running}</Tag>
                  </div>
                ))}
              </Space>
            )}
          </Card>
        </Col>
      </Row>

      <QueuesCard />
      <TrendCard title={t.trends.fleet} />
    </>
  );
}
