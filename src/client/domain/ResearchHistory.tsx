"use client";
/**
 * The history of screens (/strategies) or backtest batches (/backtests): newest first, cursor
 * paged, filtered by strategy, author, schedule and fund; who started each run (or which
 * schedule), when, its params, status and headline figures. A row opens its result (the URL
 * names it); two to five ticked open their comparison.
 * Over 300 lines: the two histories share their filters, cells and paging.
 */
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button, Card, Input, Progress, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { BacktestBatchSummary, ScreenRunJson } from "@/contracts/research";
import { CursorPager, useCursorStack } from "../CursorPager";
import { useI18n } from "../i18n";
import { formatTime } from "../format";
import { useBacktestHistory, useScreenHistory, type HistoryFilters } from "../hooks/useResearch";
import { useSchedulesQuery } from "../hooks/useSchedules";
import { TaskStatusTag } from "../tasks/StatusTag";
import type { TaskJson } from "@/contracts/tasks";
import { pctText, ratioText } from "./BacktestDetail";
import { MAX_COMPARE } from "./SideBySide";

function Filters({
  value,
  onChange,
  strategies,
}: {
  value: HistoryFilters;
  onChange: (f: HistoryFilters) => void;
  strategies: Record<string, string>;
}) {
  const { t } = useI18n();
  const schedules = useSchedulesQuery(null, 200);
  return (
    <Space wrap style={{ marginBottom: 12 }}>
      <Select
        allowClear
        placeholder={t.history.strategy}
        style={{ width: 160 }}
        value={value.strategy}
        onChange={(v) => onChange({ ...value, strategy: v })}
        options={Object.entries(strategies).map(([v, label]) => ({ value: v, label }))}
        aria-label="history-strategy"
      />
      <Input.Search
        allowClear
        placeholder={t.history.author}
        style={{ width: 160 }}
        onSearch={(v) => onChange({ ...value, author: v.trim() || undefined })}
        aria-label="history-author"
      />
      <Select
        allowClear
        showSearch
        optionFilterProp="label"
        placeholder={t.history.schedule}
        style={{ width: 200 }}
        value={value.schedule}
        onChange={(v) => onChange({ ...value, schedule: v })}
        options={(schedules.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
        aria-label="history-schedule"
      />
      <Input.Search
        allowClear
        placeholder={t.history.fund}
        style={{ width: 160 }}
        onSearch={(v) => onChange({ ...value, fund: v.trim() || undefined })}
        aria-label="history-fund"
      />
    </Space>
  );
}

/** "who started it": the user or token, or the schedule. */
function Who({ author, schedule }: { author: string | null; schedule: string | null }) {
  const { t } = useI18n();
  if (author) return <span>{author}</span>;
  if (schedule) return <Tag color="purple">{t.history.bySchedule(schedule)}</Tag>;
  return <Typography.Text type="secondary">—</Typography.Text>;
}

function ParamsText({ params }: { params: Record<string, number> }) {
  const { t } = useI18n();
  const entries = Object.entries(params);
  if (entries.length === 0) return <Typography.Text type="secondary">{t.history.defaults}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {entries.map(([k, v]) => (
        <Tag key={k} style={{ marginInlineEnd: 0 }}>
          {k}={v}
        </Tag>
      ))}
    </Space>
  );
}

function StatusCell({ status, progress }: { status: string; progress: number }) {
  return (
    <Space direction="vertical" size={0} style={{ width: "100%" }}>
      <TaskStatusTag status={status as TaskJson["status"]} />
      {(status === "running" || status === "queued") && <Progress percent={progress} size="small" showInfo={false} />}
    </Space>
  );
}

/** "Tick 2–5 to compare" and the button that opens the comparison of the rows ticked. */
function CompareSelected({ hint, label, count, onClick, testId }: { hint: string; label: string; count: number; onClick: () => void; testId: string }) {
  return (
    <Space>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {hint}
      </Typography.Text>
      <Button size="small" type="primary" disabled={count < 2} onClick={onClick} data-testid={testId}>
        {label}
      </Button>
    </Space>
  );
}

/** Past screens; a row opens /strategies?strategy=…&task=…; two to five ticked open the comparison (/strategies?compare=…). */
export function ScreenHistory({ strategies }: { strategies: Record<string, string> }) {
  const { t, lang } = useI18n();
  const router = useRouter();
  const [filters, setFilters] = useState<HistoryFilters>({});
  const [picked, setPicked] = useState<string[]>([]);
  const stack = useCursorStack(JSON.stringify(filters));
  const q = useScreenHistory(filters, stack.cursor);
  return (
    <Card
      size="small"
      title={t.history.screens}
      data-testid="screen-history"
      extra={
        <CompareSelected
          hint={t.history.compareHint}
          label={t.history.compareSelected(picked.length)}
          count={picked.length}
          onClick={() => router.push(`/strategies?compare=${picked.join(",")}`)}
          testId="screen-compare-selected"
        />
      }
    >
      <Filters value={filters} onChange={setFilters} strategies={strategies} />
      <Table<ScreenRunJson>
        rowKey="task_id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        pagination={false}
        rowSelection={{
          hideSelectAll: true,
          selectedRowKeys: picked,
          onSelect: (r) => setPicked((old) => (old.includes(r.task_id) ? old.filter((x) => x !== r.task_id) : [...old, r.task_id])),
          getCheckboxProps: (r) => ({
            disabled: r.status !== "succeeded" || (!picked.includes(r.task_id) && picked.length >= MAX_COMPARE),
            "aria-label": `compare screen ${r.task_id}`,
          }),
        }}
        onRow={(r) => ({ onClick: () => router.push(`/strategies?strategy=${r.strategy}&task=${r.task_id}`), style: { cursor: "pointer" } })}
        columns={[
          { title: t.history.when, dataIndex: "created_at", width: 160, render: (v: string) => formatTime(v, lang) },
          { title: t.history.who, width: 140, render: (_: unknown, r) => <Who author={r.author} schedule={r.schedule_name ?? r.schedule_id} /> },
          { title: t.history.strategy, dataIndex: "strategy", width: 110, render: (v: string) => strategies[v] ?? v },
          { title: t.history.params, width: 220, render: (_: unknown, r) => <ParamsText params={r.params} /> },
          { title: t.history.status, width: 110, render: (_: unknown, r) => <StatusCell status={r.status} progress={r.progress} /> },
          {
            title: t.history.matches,
            width: 110,
            align: "right",
            render: (_: unknown, r) => (r.matched === null ? "—" : `${r.matched} / ${r.evaluated ?? "?"}`),
          },
          {
            title: t.history.top,
            width: 220,
            render: (_: unknown, r) => r.top.map((x) => x.fund_name ?? x.fund_code).join("、") || "—",
          },
          {
            title: t.history.dataHash,
            dataIndex: "data_hash",
            width: 150,
            render: (v: string | null) => (v ? <Typography.Text code>{v}</Typography.Text> : "—"),
          },
        ]}
      />
      <CursorPager stack={stack} nextCursor={q.data?.next_cursor} />
    </Card>
  );
}

const best = (b: { fund_code: string; value: number } | null, fmt: (v: number) => string) =>
  b ? (
    <Tooltip title={b.fund_code}>
      <span>{fmt(b.value)}</span>
    </Tooltip>
  ) : (
    "—"
  );

/** Past backtest batches; a row opens /backtests?batch=…; two to five ticked open their comparison (/backtests?batches=…). */
export function BacktestHistory({ strategies }: { strategies: Record<string, string> }) {
  const { t, lang } = useI18n();
  const router = useRouter();
  const [filters, setFilters] = useState<HistoryFilters>({});
  const [picked, setPicked] = useState<string[]>([]);
  const stack = useCursorStack(JSON.stringify(filters));
  const q = useBacktestHistory(filters, stack.cursor);
  return (
    <Card
      size="small"
      title={t.history.backtests}
      data-testid="backtest-history"
      extra={
        <CompareSelected
          hint={t.history.batchCompareHint}
          label={t.history.compareBatches(picked.length)}
          count={picked.length}
          onClick={() => router.push(`/backtests?batches=${picked.map(encodeURIComponent).join(",")}`)}
          testId="batch-compare-selected"
        />
      }
    >
      <Filters value={filters} onChange={setFilters} strategies={strategies} />
      <Table<BacktestBatchSummary>
        rowKey="batch_id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        pagination={false}
        rowSelection={{
          hideSelectAll: true,
          selectedRowKeys: picked,
          onSelect: (r) => setPicked((old) => (old.includes(r.batch_id) ? old.filter((x) => x !== r.batch_id) : [...old, r.batch_id])),
          getCheckboxProps: (r) => ({
            disabled: !picked.includes(r.batch_id) && picked.length >= MAX_COMPARE,
            "aria-label": `compare batch ${r.batch_id}`,
          }),
        }}
        onRow={(r) => ({ onClick: () => router.push(`/backtests?batch=${encodeURIComponent(r.batch_id)}`), style: { cursor: "pointer" } })}
        columns={[
          { title: t.history.when, dataIndex: "created_at", width: 160, render: (v: string) => formatTime(v, lang) },
          { title: t.history.who, width: 130, render: (_: unknown, r) => <Who author={r.author} schedule={r.schedule_name ?? r.schedule_id} /> },
          { title: t.history.strategy, dataIndex: "strategy", width: 100, render: (v: string) => strategies[v] ?? v },
          {
            title: t.history.params,
            width: 220,
            render: (_: unknown, r) =>
              Object.keys(r.swept).length > 0 ? (
                <Space size={2} wrap>
                  <Tag color="purple" style={{ margin: 0 }}>
                    {t.sweeps.tag}
                  </Tag>
                  {Object.entries(r.swept).map(([k, vs]) => (
                    <Typography.Text key={k} style={{ fontSize: 12 }}>{`${k}: ${vs.join(", ")}`}</Typography.Text>
                  ))}
                </Space>
              ) : (
                <ParamsText params={r.params} />
              ),
          },
          { title: t.history.window, width: 190, render: (_: unknown, r) => `${r.start ?? "…"} → ${r.end ?? "…"}` },
          {
            title: t.history.funds,
            width: 200,
            render: (_: unknown, r) => (
              <span>
                {r.fund_count === r.total ? r.total : `${r.fund_count} × ${r.total / r.fund_count}`} ·{" "}
                {r.funds
                  .slice(0, 3)
                  .map((f) => f.fund_name ?? f.fund_code)
                  .join("、")}
                {r.fund_count > 3 ? " …" : ""}
              </span>
            ),
          },
          {
            title: t.history.status,
            width: 110,
            render: (_: unknown, r) => {
              const live = (r.counts.queued ?? 0) + (r.counts.running ?? 0) > 0;
              const status = live
                ? "running"
                : (r.counts.failed ?? 0) > 0
                  ? "failed"
                  : (r.counts.cancelled ?? 0) === r.total
                    ? "cancelled"
                    : "succeeded";
              return <StatusCell status={status} progress={r.progress} />;
            },
          },
          {
            title: t.history.sharpe,
            width: 120,
            align: "right",
            render: (_: unknown, r) => (
              <span>
                {ratioText(r.median_sharpe)} / {best(r.best_sharpe, (v) => v.toFixed(2))}
              </span>
            ),
          },
          {
            title: t.history.returns,
            width: 150,
            align: "right",
            render: (_: unknown, r) => (
              <span>
                {pctText(r.median_return)} / {best(r.best_return, (v) => pctText(v))}
              </span>
            ),
          },
        ]}
      />
      <CursorPager stack={stack} nextCursor={q.data?.next_cursor} />
    </Card>
  );
}
