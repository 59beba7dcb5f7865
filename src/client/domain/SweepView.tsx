"use client";
/**
 * A parameter sweep's page (/backtests?batch=sw-…): what was swept and its progress, a heatmap
 * of the chosen metric over two swept params (mean over the funds, or one fund), the
 * combinations ranked, and how robust the best one is across funds. With one fund in scope, a
 * combination opens its run's curves, and the best two (or any two to five) open side by side
 * in the comparison. The figures are the server's (GET /api/backtests/sweeps/{id}; conventions
 * in src/domain/sweep.ts and the README).
 */
import { Fragment, useState } from "react";
import { Button, Card, Col, Descriptions, Empty, Progress, Row, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import { SWEEP_METRICS, type SweepMetric, type SweepSummary } from "@/contracts/sweeps";
import { useI18n } from "../i18n";
import { useSweepQuery } from "../hooks/useBacktests";
import { BacktestDetail, pctText } from "./BacktestDetail";
import { BatchActions } from "./BatchActions";
import { Heatmap } from "./SweepHeatmap";
import { metricText } from "./metricText";
import { MAX_COMPARE } from "./SideBySide";
import { THEME_VARS } from "../theme";

type Combo = SweepSummary["leaderboard"][number];

const paramsText = (p: Record<string, number>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join("  ");

/** The sweep's page; `onCompare` opens the comparison of runs, `onOpenBatch` another batch (a re-run). */
export function SweepView({
  batchId,
  onCompare,
  onOpenBatch,
  benchName,
}: {
  batchId: string;
  onCompare: (taskIds: string[]) => void;
  onOpenBatch: (batchId: string) => void;
  benchName: (code: string | null) => string | null;
}) {
  const { t } = useI18n();
  const [metric, setMetric] = useState<SweepMetric>("sharpe");
  const [fund, setFund] = useState<string | undefined>();
  const [axes, setAxes] = useState<{ x?: string; y?: string }>({});
  const [picked, setPicked] = useState<string[]>([]);
  const [opened, setOpened] = useState<string | null>(null);
  const q = useSweepQuery(batchId, { metric, fund, ...axes });
  const s = q.data;
  if (!s) return <Card size="small" loading={q.isLoading} title={`${t.sweeps.title} · ${batchId}`} />;
  const metricNames = t.backtests.metricNames as Record<string, string>;
  const unfinished = (s.counts.queued ?? 0) + (s.counts.running ?? 0);
  const ranked = s.leaderboard.filter((r) => r.mean !== null && r.task_id);
  const axisOptions = s.axes.map((a) => ({ value: a.key, label: a.key }));
  const fundLabel = (code: string) => `${code} ${s.funds.find((f) => f.fund_code === code)?.fund_name ?? ""}`.trim();

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="sweep-view">
      <Card
        size="small"
        title={
          <Space>
            <Tag color="purple">{t.sweeps.tag}</Tag>
            {`${t.sweeps.title} · ${batchId}`}
          </Space>
        }
        extra={
          <Space>
            <BatchActions batchId={batchId} unfinished={unfinished} onRerun={onOpenBatch} />
            <a href={`/api/backtests/batches/${encodeURIComponent(batchId)}/download`} download data-testid="batch-csv">
              {t.run.exportCsv}
            </a>
          </Space>
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
          <Descriptions.Item label={t.backtests.strategy}>{t.backtests.strategies[s.strategy] ?? s.strategy}</Descriptions.Item>
          <Descriptions.Item label={t.sweeps.window}>
            {s.start || s.end ? `${s.start ?? "…"} → ${s.end ?? "…"}` : t.sweeps.wholeSeries}
          </Descriptions.Item>
          <Descriptions.Item label={t.backtests.benchmark}>{benchName(s.benchmark) ?? t.backtests.noBenchmark}</Descriptions.Item>
          <Descriptions.Item label={t.sweeps.params}>
            <Space size={4} wrap>
              {s.axes.map((a) => (
                <Tag key={a.key} color="blue">{`${a.key}: ${a.values.join(", ")}`}</Tag>
              ))}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t.sweeps.base}>
            <Typography.Text style={{ fontSize: 12 }}>{paramsText(s.base_params)}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t.history.funds}>
            {`${s.funds.length} · ${s.funds
              .slice(0, 4)
              .map((f) => f.fund_name ?? f.fund_code)
              .join("、")}${s.funds.length > 4 ? " …" : ""}`}
          </Descriptions.Item>
          <Descriptions.Item label={t.sweeps.progress} span={2}>
            <Space>
              <Progress percent={s.progress} size="small" style={{ width: 160, margin: 0 }} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {Object.entries(s.counts)
                  .filter(([, n]) => n > 0)
                  .map(([k, n]) => `${t.status[k as keyof typeof t.status] ?? k} ${n}`)
                  .join(" · ")}
              </Typography.Text>
            </Space>
          </Descriptions.Item>
        </Descriptions>
        <Space wrap style={{ margin: "8px 0" }}>
          <span>{t.sweeps.metric}</span>
          <Select
            size="small"
            style={{ width: 150 }}
            value={metric}
            onChange={(v) => setMetric(v)}
            aria-label="metric"
            options={Object.keys(SWEEP_METRICS).map((k) => ({ value: k, label: metricNames[k] ?? k }))}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {s.higher_is_better ? t.sweeps.higher : t.sweeps.lower}
          </Typography.Text>
          <span>{t.sweeps.scope}</span>
          <Select
            size="small"
            style={{ width: 220 }}
            value={fund ?? ""}
            aria-label="scope"
            onChange={(v) => {
              setFund(v || undefined);
              setPicked([]);
              setOpened(null);
            }}
            options={[{ value: "", label: t.sweeps.allFunds }, ...s.funds.map((f) => ({ value: f.fund_code, label: fundLabel(f.fund_code) }))]}
          />
          {s.axes.length > 1 && (
            <>
              {(["x", "y"] as const).map((k) => {
                // Picking the other axis's param swaps the two.
                const other = k === "x" ? "y" : "x";
                return (
                  <Fragment key={k}>
                    <span>{k === "x" ? t.sweeps.xAxis : t.sweeps.yAxis}</span>
                    <Select
                      size="small"
                      style={{ width: 150 }}
                      value={s.heatmap[k]}
                      aria-label={`${k} axis`}
                      options={axisOptions}
                      onChange={(v: string) =>
                        setAxes({ [k]: v, [other]: (v === s.heatmap[other] ? s.heatmap[k] : s.heatmap[other]) ?? undefined })
                      }
                    />
                  </Fragment>
                );
              })}
            </>
          )}
        </Space>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
          {t.sweeps.heatmapCaption(metricNames[s.metric] ?? s.metric, fund ? fundLabel(fund) : t.sweeps.allFunds)}
        </Typography.Paragraph>
        <Heatmap s={s} />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Card
            size="small"
            title={`${t.sweeps.leaderboard}（${s.combinations}）`}
            extra={
              <Space>
                <Tooltip title={fund ? undefined : t.sweeps.compareNeedsFund}>
                  <Button
                    size="small"
                    type="primary"
                    disabled={!fund || ranked.length < 2}
                    onClick={() => onCompare(ranked.slice(0, 2).map((r) => r.task_id as string))}
                    data-testid="compare-top-two"
                  >
                    {t.sweeps.compareTop}
                  </Button>
                </Tooltip>
                {fund && (
                  <Button size="small" disabled={picked.length < 2} onClick={() => onCompare(picked)}>
                    {t.sweeps.compareSelected(picked.length)}
                  </Button>
                )}
              </Space>
            }
          >
            <Table<Combo>
              data-testid="sweep-leaderboard"
              size="small"
              rowKey={(r) => paramsText(r.params)}
              dataSource={s.leaderboard}
              pagination={{ pageSize: 10, hideOnSinglePage: true, size: "small" }}
              rowSelection={
                fund
                  ? {
                      hideSelectAll: true,
                      selectedRowKeys: s.leaderboard.filter((r) => r.task_id && picked.includes(r.task_id)).map((r) => paramsText(r.params)),
                      onSelect: (r) =>
                        r.task_id && setPicked((old) => (old.includes(r.task_id!) ? old.filter((x) => x !== r.task_id) : [...old, r.task_id!])),
                      getCheckboxProps: (r) => ({
                        disabled: !r.task_id || r.mean === null || (!picked.includes(r.task_id) && picked.length >= MAX_COMPARE),
                      }),
                    }
                  : undefined
              }
              onRow={(r) => ({
                onClick: () => r.task_id && setOpened(r.task_id),
                style: { cursor: r.task_id ? "pointer" : undefined, background: r.task_id && r.task_id === opened ? THEME_VARS.highlight : undefined },
              })}
              columns={[
                { title: t.sweeps.rank, dataIndex: "rank", width: 60, render: (v: number) => (v ? v : "—") },
                {
                  title: t.sweeps.params,
                  key: "params",
                  render: (_: unknown, r) => (
                    <Typography.Text style={{ fontSize: 12, whiteSpace: "nowrap" }}>{paramsText(r.params)}</Typography.Text>
                  ),
                },
                { title: fund ? metricNames[s.metric] : t.sweeps.mean, dataIndex: "mean", width: 90, align: "right", render: (v: number | null) => metricText(s.metric, v) },
                ...(fund
                  ? []
                  : [
                      { title: t.sweeps.median, dataIndex: "median", width: 90, align: "right" as const, render: (v: number | null) => metricText(s.metric, v) },
                      { title: t.sweeps.min, dataIndex: "min", width: 80, align: "right" as const, render: (v: number | null) => metricText(s.metric, v) },
                      { title: t.sweeps.max, dataIndex: "max", width: 80, align: "right" as const, render: (v: number | null) => metricText(s.metric, v) },
                      { title: t.sweeps.valid, key: "n", width: 90, align: "right" as const, render: (_: unknown, r: Combo) => `${r.n} / ${r.runs}` },
                      { title: t.sweeps.wins, dataIndex: "wins", width: 90, align: "right" as const },
                    ]),
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card size="small" title={t.sweeps.robustness} data-testid="sweep-robustness">
            {s.robustness ? (
              <>
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t.sweeps.bestParams}>
                    <Typography.Text strong>{paramsText(s.robustness.params)}</Typography.Text>
                  </Descriptions.Item>
                  <Descriptions.Item label={t.sweeps.medianRank}>{s.robustness.median_rank}</Descriptions.Item>
                  <Descriptions.Item label={t.sweeps.meanRank}>{s.robustness.mean_rank.toFixed(2)}</Descriptions.Item>
                  <Descriptions.Item label={t.sweeps.topQuartile}>{pctText(s.robustness.top_quartile_share)}</Descriptions.Item>
                  <Descriptions.Item label={t.sweeps.first}>{pctText(s.robustness.first_share)}</Descriptions.Item>
                  <Descriptions.Item label={t.sweeps.kendall}>
                    <Tooltip title={t.sweeps.kendallFunds(s.robustness.kendall_funds)}>
                      {s.robustness.kendall_w === null ? "—" : s.robustness.kendall_w.toFixed(3)}
                    </Tooltip>
                  </Descriptions.Item>
                </Descriptions>
                <Table
                  size="small"
                  rowKey="fund_code"
                  pagination={{ pageSize: 8, hideOnSinglePage: true, size: "small" }}
                  dataSource={s.robustness.per_fund}
                  columns={[
                    { title: t.sweeps.perFund, dataIndex: "fund_code", render: (c: string) => fundLabel(c) },
                    { title: t.sweeps.rank, key: "rank", width: 80, align: "right", render: (_: unknown, p) => `${p.rank} / ${p.of}` },
                    { title: metricNames[s.metric], dataIndex: "value", width: 90, align: "right", render: (v: number) => metricText(s.metric, v) },
                  ]}
                />
              </>
            ) : (
              <Empty description={t.sweeps.noValue} image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
        </Col>
      </Row>
      {fund && opened && (
        <Card size="small" title={`${t.backtests.equity} · ${fundLabel(fund)} · ${paramsText(s.leaderboard.find((r) => r.task_id === opened)?.params ?? {})}`}>
          <BacktestDetail taskId={opened} benchName={benchName} />
        </Card>
      )}
    </Space>
  );
}
