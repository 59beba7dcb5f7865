"use client";
/**
 * A parameter sweep's page (/backtests?batch=sw-…): what was swept and its progress, a heatmap
 * of the chosen metric over two swept params (mean over the funds, or one fund), the
 * combinations ranked, and how robust the best one is across funds. With one fund in scope, a
 * combination opens its run's curves, and the best two (or any two to five) open side by side
 * in the comparison. The figures are the server's (GET /api/backtests/sweeps/{id}; conventions
 * in src/domain/sweep.ts and the README).
 */
import { useState } from "react";
import { Button, Card, Col, DatePicker, Descriptions, Empty, Modal, Popconfirm, Progress, Row, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { SWEEP_METRICS, type SweepMetric, type SweepSummary } from "@/contracts/sweeps";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { useCancelBatch, useRerunBatch, useSweepQuery } from "../hooks/useBacktests";
import { BacktestDetail, pctText, ratioText } from "./BacktestDetail";
import { MAX_COMPARE } from "./BacktestCompare";

type Combo = SweepSummary["leaderboard"][number];

/** Metrics shown as percentages (fractions in the API); the rest are ratios. */
const PERCENT = new Set<string>(["total_return", "annualized_return", "excess_return", "win_rate", "max_drawdown", "volatility"]);
/** A metric's value as the page shows it. */
export const metricText = (metric: string, v: number | null | undefined) => (PERCENT.has(metric) ? pctText(v) : ratioText(v));
const paramsText = (p: Record<string, number>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join("  ");

/** Cancel what is left of a batch, and run it again over another window (plain batches and sweeps alike). */
export function BatchActions({ batchId, unfinished, onRerun }: { batchId: string; unfinished: number; onRerun: (batchId: string) => void }) {
  const { t } = useI18n();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const cancel = useCancelBatch();
  const rerun = useRerunBatch();
  const [open, setOpen] = useState(false);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  if (!canOperate) return null;
  return (
    <>
      {unfinished > 0 && (
        <Popconfirm
          title={t.sweeps.cancelConfirm}
          onConfirm={async () => {
            try {
              const r = await cancel.mutateAsync(batchId);
              feedback.ok(t.sweeps.cancelled(r.cancelled, r.cancel_requested));
            } catch (err) {
              feedback.failed(err);
            }
          }}
        >
          <Button size="small" danger loading={cancel.isPending} data-testid="batch-cancel">
            {t.sweeps.cancel}
          </Button>
        </Popconfirm>
      )}
      <Button size="small" onClick={() => setOpen(true)} data-testid="batch-rerun">
        {t.sweeps.rerun}
      </Button>
      <Modal
        open={open}
        title={t.sweeps.rerunTitle}
        confirmLoading={rerun.isPending}
        onCancel={() => setOpen(false)}
        onOk={async () => {
          try {
            const r = await rerun.mutateAsync({
              batchId,
              start: range ? range[0].format("YYYY-MM-DD") : null,
              end: range ? range[1].format("YYYY-MM-DD") : null,
            });
            setOpen(false);
            feedback.enqueued(t.sweeps.rerunOk(r.task_ids.length), `/tasks?batch_id=${encodeURIComponent(r.batch_id)}`);
            onRerun(r.batch_id);
          } catch (err) {
            feedback.failed(err);
          }
        }}
      >
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text type="secondary">{`${t.sweeps.window}（${t.sweeps.wholeSeries}：留空）`}</Typography.Text>
          <DatePicker.RangePicker style={{ width: "100%" }} value={range} onChange={(v) => setRange(v as [Dayjs, Dayjs] | null)} aria-label="rerun window" />
        </Space>
      </Modal>
    </>
  );
}

/** The heatmap as a table: one row per y value, one column per x value, darker = better. */
function Heatmap({ s }: { s: SweepSummary }) {
  const { t } = useI18n();
  const h = s.heatmap;
  const values = h.cells.flat().filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const shade = (v: number) => {
    const u = hi === lo ? 1 : (v - lo) / (hi - lo);
    return s.higher_is_better ? u : 1 - u;
  };
  if (!h.x || values.length === 0) return <Empty description={t.sweeps.noValue} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const cell: React.CSSProperties = { padding: "6px 10px", textAlign: "right", border: "1px solid #f0f0f0", minWidth: 72 };
  return (
    <div style={{ overflowX: "auto" }}>
      <table data-testid="sweep-heatmap" style={{ borderCollapse: "collapse", fontSize: 12, fontVariantNumeric: "tabular-nums" }}>
        <thead>
          <tr>
            <th style={{ ...cell, textAlign: "left", background: "#fafafa" }}>
              <Typography.Text code>{h.y ?? ""}</Typography.Text> ↓ <Typography.Text code>{h.x}</Typography.Text> →
            </th>
            {h.xs.map((x) => (
              <th key={x} style={{ ...cell, background: "#fafafa" }}>
                {x}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {h.cells.map((row, yi) => (
            <tr key={yi}>
              <th style={{ ...cell, background: "#fafafa" }}>{h.y ? h.ys[yi] : "—"}</th>
              {row.map((v, xi) => {
                const u = v === null ? 0 : shade(v);
                return (
                  <td
                    key={xi}
                    data-testid="heat-cell"
                    title={`${h.x}=${h.xs[xi]}${h.y ? `, ${h.y}=${h.ys[yi]}` : ""}: ${metricText(s.metric, v)} (n=${h.counts[yi][xi]})`}
                    style={{
                      ...cell,
                      background: v === null ? "#fff" : `rgba(22, 119, 255, ${(0.08 + 0.82 * u).toFixed(3)})`,
                      color: v !== null && u > 0.55 ? "#fff" : undefined,
                    }}
                  >
                    {v === null ? "—" : metricText(s.metric, v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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
          <Descriptions.Item label={t.backtests.funds.split("（")[0]}>
            {`${s.funds.length}：${s.funds
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
              <span>{t.sweeps.xAxis}</span>
              <Select
                size="small"
                style={{ width: 150 }}
                value={s.heatmap.x}
                aria-label="x axis"
                options={axisOptions}
                onChange={(x) => setAxes({ x, y: x === s.heatmap.y ? (s.heatmap.x ?? undefined) : (s.heatmap.y ?? undefined) })}
              />
              <span>{t.sweeps.yAxis}</span>
              <Select
                size="small"
                style={{ width: 150 }}
                value={s.heatmap.y}
                aria-label="y axis"
                options={axisOptions}
                onChange={(y) => setAxes({ y, x: y === s.heatmap.x ? (s.heatmap.y ?? undefined) : (s.heatmap.x ?? undefined) })}
              />
            </>
          )}
        </Space>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
          {`${t.sweeps.heatmap}：${metricNames[s.metric] ?? s.metric}${fund ? ` · ${fundLabel(fund)}` : ` · ${t.sweeps.allFunds}`}。${t.sweeps.heatmapHint}`}
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
                style: { cursor: r.task_id ? "pointer" : undefined, background: r.task_id && r.task_id === opened ? "#e6f4ff" : undefined },
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
