"use client";
/**
 * /backtests (回测): pick funds, a strategy with its declared params (last values remembered per
 * user), a period, fees and a benchmark; create one backtest task per fund as a batch; watch the
 * batch fill in with per-fund status and metrics (downloadable as CSV); click a row for its
 * curves, figures and provenance. In sweep mode each param takes a range or a list and one batch
 * holds every (fund, combination); its page is SweepView. Below, the history (ResearchHistory).
 * Over 300 lines: the form, its two modes and the batch view share the form's state.
 */
import { useState } from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Button, Card, Col, DatePicker, Empty, Form, InputNumber, Row, Segmented, Select, Space, Table, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { BacktestParams, DEFAULT_BENCHMARK, type BacktestBatch, type BacktestStrategy } from "@/contracts/backtests";
import { BACKTEST_STRATEGY_PARAMS, type ParamGroup } from "@/contracts/researchParams";
import { givenParams, ParamFields, paramErrors, useLastParams, useLastTexts } from "./ParamForm";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { useBacktestBatchQuery, useCreateBacktests, useCreateSweep } from "../hooks/useBacktests";
import { CreateSweepBody } from "@/contracts/sweeps";
import { SweepFields, SweepPreview, sweepFromTexts } from "./SweepFields";
import { SweepView } from "./SweepView";
import { BatchActions } from "./BatchActions";
import { BatchCompare } from "./BatchCompare";
import { useFundsQuery, type FundRow } from "../hooks/useFunds";
import { TaskStatusTag } from "../tasks/StatusTag";
import { pctCell } from "./SnifferPage";
import { BacktestDetail, pctText, ratioText } from "./BacktestDetail";
import { BacktestHistory } from "./ResearchHistory";
import { BacktestCompare, useCompareBasket } from "./BacktestCompare";
import { comparedIds, MAX_COMPARE } from "./SideBySide";
import type { TaskJson } from "@/contracts/tasks";
import { THEME_VARS } from "../theme";

type Item = BacktestBatch["items"][number];

export function BacktestsPage() {
  const { t } = useI18n();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const batchId = params.get("batch");
  const compareIds = comparedIds(params.get("compare"));
  const comparedBatches = comparedIds(params.get("batches"), Boolean);
  const basket = useCompareBasket();
  const isSweep = !!batchId?.startsWith("sw-");
  const batch = useBacktestBatchQuery(isSweep ? null : batchId);
  const create = useCreateBacktests();
  const createSweep = useCreateSweep();
  const [mode, setMode] = useState<"single" | "sweep">("single");

  const [search, setSearch] = useState("");
  const options = useFundsQuery(search, undefined, 1, 50);
  const indices = useFundsQuery("", undefined, 1, 50, "index");
  const indexName = (code: string | null) => (code ? `${indices.data?.items.find((i) => i.code === code)?.name ?? ""} ${code}`.trim() : null);
  const [selected, setSelected] = useState<Item | null>(null);
  const [form] = Form.useForm();
  const strategy = (Form.useWatch("strategy", form) as BacktestStrategy | undefined) ?? "ma_cross";
  const specs = (BACKTEST_STRATEGY_PARAMS as Record<string, ParamGroup>)[strategy]?.specs ?? [];
  const [last, remember] = useLastParams(`backtest:${strategy}`);
  const [lastTexts, rememberTexts] = useLastTexts(`backtest:${strategy}`);
  const [editedTexts, setAxisTexts] = useState<Record<string, Record<string, string>>>({});
  const texts = editedTexts[strategy] ?? lastTexts;
  const sweepDraft = sweepFromTexts(specs, texts);
  const chosenFunds = (Form.useWatch("fund_codes", form) as string[] | undefined)?.length ?? 0;
  const openBatch = (id: string) => router.replace(`${pathname}?batch=${encodeURIComponent(id)}`, { scroll: false });
  /** A batch was made: show it, and say so with the link to its tasks. */
  const created = (batchId: string, message: string) => {
    setSelected(null);
    openBatch(batchId);
    feedback.enqueued(message, `/tasks?batch_id=${encodeURIComponent(batchId)}`);
  };
  const [edited, setEdited] = useState<Record<string, Record<string, number | undefined>>>({});
  const values = edited[strategy] ?? last;
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async (v: {
    fund_codes: string[];
    strategy: string;
    range?: [Dayjs, Dayjs];
    fee_buy?: number;
    fee_sell?: number;
    risk_free?: number;
    benchmark?: string;
  }) => {
    const fees = { fee_buy: (v.fee_buy ?? 0.15) / 100, fee_sell: (v.fee_sell ?? 0.5) / 100, risk_free: (v.risk_free ?? 0) / 100 };
    const window = v.range ? { start: v.range[0].format("YYYY-MM-DD"), end: v.range[1].format("YYYY-MM-DD") } : {};
    const benchmark = v.benchmark === "none" ? null : (v.benchmark ?? DEFAULT_BENCHMARK);
    if (mode === "sweep") return submitSweep(v.fund_codes, v.strategy, fees, window, benchmark);
    // The strategy's own params as typed, checked in the browser with the server's schema.
    const own = givenParams(Object.fromEntries(specs.map((p) => [p.key, values[p.key]])));
    const all = { ...own, ...fees };
    const errs = paramErrors(BacktestParams, all);
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    remember(own);
    try {
      const res = await create.mutateAsync({
        fund_codes: v.fund_codes,
        strategy: v.strategy,
        ...window,
        params: all,
        benchmark,
      });
      created(res.batch_id, t.backtests.created(res.task_ids.length));
    } catch (err) {
      feedback.failed(err);
    }
  };

  /** A sweep, checked in the browser with the server's own schema before it is sent. */
  const submitSweep = async (
    fund_codes: string[],
    strategy: string,
    fees: Record<string, number>,
    window: { start?: string; end?: string },
    benchmark: string | null,
  ) => {
    const { base, sweep, errors: textErrors } = sweepDraft;
    const body = { fund_codes, strategy, ...window, params: { ...base, ...fees }, sweep, benchmark };
    // A field's own text error first, then what the server's schema says.
    const errs = { ...paramErrors(CreateSweepBody, body), ...textErrors };
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    rememberTexts(texts);
    try {
      const res = await createSweep.mutateAsync(body);
      created(res.batch_id, t.sweeps.created(res.task_ids.length, res.combinations));
    } catch (err) {
      feedback.failed(err);
    }
  };

  const items = batch.data?.items ?? [];
  const shown = selected ?? items.find((i) => i.status === "succeeded") ?? null;
  const pct = (v: number | null | undefined) => pctCell(v ?? null);

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={4} style={{ margin: 0, whiteSpace: "nowrap" }}>
        {t.backtests.title}
      </Typography.Title>
      {canOperate && (
        <Card size="small">
          <Form
            form={form}
            layout="vertical"
            initialValues={{ strategy: "ma_cross", fee_buy: 0.15, fee_sell: 0.5, risk_free: 0, benchmark: DEFAULT_BENCHMARK }}
            onFinish={(v) => void submit(v)}
          >
            <Row gutter={12}>
              <Col xs={24} lg={10}>
                <Form.Item label={t.backtests.funds} name="fund_codes" rules={[{ required: true }]}>
                  <Select
                    mode="multiple"
                    showSearch
                    filterOption={false}
                    onSearch={setSearch}
                    maxCount={100}
                    options={(options.data?.items ?? []).map((f: FundRow) => ({ value: f.code, label: `${f.code} ${f.name}` }))}
                    aria-label="funds"
                  />
                </Form.Item>
              </Col>
              <Col xs={12} lg={4}>
                <Form.Item label={t.backtests.strategy} name="strategy">
                  <Select options={Object.entries(t.backtests.strategies).map(([value, label]) => ({ value, label }))} />
                </Form.Item>
              </Col>
              <Col xs={12} lg={6}>
                <Form.Item label={t.backtests.range} name="range">
                  <DatePicker.RangePicker style={{ width: "100%" }} />
                </Form.Item>
              </Col>
              <Col xs={8} lg={4}>
                <Form.Item label={`${t.backtests.feeBuy} %`} name="fee_buy">
                  <InputNumber min={0} max={5} step={0.05} style={{ width: "100%" }} />
                </Form.Item>
              </Col>
              <Col xs={8} lg={4}>
                <Form.Item label={`${t.backtests.feeSell} %`} name="fee_sell">
                  <InputNumber min={0} max={5} step={0.1} style={{ width: "100%" }} />
                </Form.Item>
              </Col>
              <Col xs={8} lg={4}>
                <Form.Item label={`${t.backtests.riskFree} %`} name="risk_free">
                  <InputNumber min={0} max={20} step={0.25} style={{ width: "100%" }} />
                </Form.Item>
              </Col>
              <Col xs={16} lg={4}>
                <Form.Item label={t.backtests.benchmark} name="benchmark">
                  <Select
                    aria-label="benchmark"
                    options={[
                      ...(indices.data?.items ?? []).map((i) => ({ value: i.code, label: `${i.name} ${i.code}` })),
                      { value: "none", label: t.backtests.noBenchmark },
                    ]}
                  />
                </Form.Item>
              </Col>
              <Col xs={8} lg={4} style={{ display: "flex", alignItems: "flex-end" }}>
                <Form.Item style={{ width: "100%" }}>
                  <Button type="primary" htmlType="submit" block loading={create.isPending || createSweep.isPending} data-testid="backtest-submit">
                    {mode === "sweep" ? t.sweeps.create : t.backtests.create}
                  </Button>
                </Form.Item>
              </Col>
            </Row>
            <Segmented
              size="small"
              style={{ marginBottom: 8 }}
              value={mode}
              onChange={(m) => {
                setMode(m as "single" | "sweep");
                setErrors({});
              }}
              options={[
                { value: "single", label: t.sweeps.mode.single },
                { value: "sweep", label: t.sweeps.mode.sweep },
              ]}
              data-testid="backtest-mode"
            />
            {mode === "sweep" && specs.length > 0 && (
              <div data-testid="sweep-params">
                <SweepFields
                  specs={specs}
                  texts={texts}
                  errors={errors}
                  onChange={(k, text) => {
                    setAxisTexts((old) => ({ ...old, [strategy]: { ...(old[strategy] ?? lastTexts), [k]: text } }));
                    setErrors(({ [k]: _gone, ...rest }) => rest);
                  }}
                />
                <SweepPreview base={sweepDraft.base} sweep={sweepDraft.sweep} funds={chosenFunds} />
              </div>
            )}
            {mode === "single" && specs.length > 0 && (
              <div data-testid="strategy-params">
                <ParamFields
                  specs={specs}
                  values={values}
                  errors={errors}
                  span={4}
                  onChange={(k, val) => {
                    setEdited((old) => ({ ...old, [strategy]: { ...values, [k]: val } }));
                    setErrors((old) => {
                      const { [k]: _gone, ...rest } = old;
                      return rest;
                    });
                  }}
                />
              </div>
            )}
            {(errors.fee_buy || errors.fee_sell || errors.risk_free) && (
              <Typography.Text type="danger">{[errors.fee_buy, errors.fee_sell, errors.risk_free].filter(Boolean).join("; ")}</Typography.Text>
            )}
          </Form>
        </Card>
      )}
      {comparedBatches.length >= 2 && (
        <BatchCompare ids={comparedBatches} strategies={t.backtests.strategies} onClose={() => router.replace(pathname)} />
      )}
      {compareIds.length > 0 && (
        <BacktestCompare ids={compareIds} onClose={() => router.replace(batchId ? `${pathname}?batch=${encodeURIComponent(batchId)}` : pathname)} />
      )}
      {basket.ids.length > 0 && (
        <Space>
          <Button
            type="primary"
            size="small"
            disabled={basket.ids.length < 2}
            onClick={() => router.replace(`${pathname}?${batchId ? `batch=${encodeURIComponent(batchId)}&` : ""}compare=${basket.ids.join(",")}`)}
            data-testid="compare-selected"
          >
            {t.backtests.compareSelected(basket.ids.length)}
          </Button>
          <Button size="small" onClick={() => basket.set([])}>
            {t.backtests.clearSelected}
          </Button>
          <Typography.Text type="secondary">{t.backtests.compareHint}</Typography.Text>
        </Space>
      )}
      {batchId && isSweep ? (
        <SweepView
          batchId={batchId}
          benchName={indexName}
          onOpenBatch={openBatch}
          onCompare={(ids) => router.replace(`${pathname}?batch=${encodeURIComponent(batchId)}&compare=${ids.join(",")}`)}
        />
      ) : batchId ? (
        <>
          <Card
            size="small"
            title={`${t.backtests.results} · ${batchId}`}
            extra={
              <Space>
                <BatchActions
                  batchId={batchId}
                  unfinished={(batch.data?.counts.queued ?? 0) + (batch.data?.counts.running ?? 0)}
                  onRerun={openBatch}
                />
                <a href={`/api/backtests/batches/${encodeURIComponent(batchId)}/download`} download data-testid="batch-csv">
                  {t.run.exportCsv}
                </a>
                <Link href={`/tasks?batch_id=${encodeURIComponent(batchId)}`}>{t.common.goToRun}</Link>
              </Space>
            }
          >
            <Table<Item>
              data-testid="batch-results"
              rowKey="task_id"
              size="small"
              loading={batch.isLoading}
              dataSource={items}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              rowSelection={{
                hideSelectAll: true,
                selectedRowKeys: basket.ids,
                onSelect: (r) => basket.toggle(r.task_id),
                getCheckboxProps: (r) => ({
                  disabled: r.status !== "succeeded" || (!basket.ids.includes(r.task_id) && basket.ids.length >= MAX_COMPARE),
                  "aria-label": `compare ${r.fund_code}`,
                }),
              }}
              onRow={(r) => ({
                onClick: () => setSelected(r),
                style: { cursor: "pointer", background: shown?.task_id === r.task_id ? THEME_VARS.highlight : undefined },
              })}
              columns={[
                { title: t.sniffer.code, dataIndex: "fund_code", width: 90 },
                { title: t.sniffer.name, dataIndex: "fund_name", width: 200, render: (v: string | null) => v ?? "—" },
                { title: t.tasks.col.status, dataIndex: "status", width: 90, render: (s: TaskJson["status"]) => <TaskStatusTag status={s} /> },
                { title: t.backtests.totalReturn, width: 100, align: "right", render: (_: unknown, r) => pct(r.metrics?.total_return) },
                { title: t.backtests.annualized, width: 100, align: "right", render: (_: unknown, r) => pct(r.metrics?.annualized_return) },
                { title: t.backtests.volatility, width: 90, align: "right", render: (_: unknown, r) => pctText(r.metrics?.volatility) },
                { title: t.backtests.sharpe, width: 80, align: "right", render: (_: unknown, r) => ratioText(r.metrics?.sharpe) },
                { title: t.backtests.maxDrawdown, width: 100, align: "right", render: (_: unknown, r) => pctText(r.metrics?.max_drawdown) },
                { title: t.backtests.excess, width: 100, align: "right", render: (_: unknown, r) => pct(r.metrics?.excess_return) },
                { title: t.backtests.trades, width: 80, align: "right", render: (_: unknown, r) => r.metrics?.trades ?? "—" },
                {
                  title: t.tasks.col.error,
                  dataIndex: "error",
                  ellipsis: true,
                  render: (e: string | null) => (e ? <Typography.Text type="danger">{e}</Typography.Text> : "—"),
                },
              ]}
            />
          </Card>
          <Card size="small" title={shown ? `${t.backtests.equity} · ${shown.fund_code} ${shown.fund_name ?? ""}` : t.backtests.equity}>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t.backtests.conventions}
            </Typography.Paragraph>
            {shown ? <BacktestDetail taskId={shown.task_id} benchName={indexName} /> : <Empty description={t.backtests.pickRow} />}
          </Card>
        </>
      ) : null}
      <BacktestHistory strategies={t.backtests.strategies} />
    </Space>
  );
}
