"use client";
/**
 * /sniffer (嗅探): a paginated, searchable fund table. 加载信号 enqueues a signals batch for the
 * funds in view (or all), shows its progress, polls the result pages and merges them into
 * signalsByFund, shown as tags per fund. The task id is kept in the URL, so a reload resumes.
 */
import { useState } from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Alert, Button, Card, Dropdown, Input, Progress, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { useFundsQuery, type FundRow } from "../hooks/useFunds";
import { useEnqueueSignals, useSignalsBatch } from "../hooks/useSignals";
import type { FundSignal } from "../sniffer/signalsByFund";

/** Chinese market colours: red up/buy, green down/sell. */
export function pctCell(v: number | null) {
  if (v === null || v === undefined) return "—";
  return <span style={{ color: v > 0 ? "#cf1322" : v < 0 ? "#389e0d" : undefined }}>{(v * 100).toFixed(2)}%</span>;
}

function SignalTags({
  signals,
  names,
  t,
}: {
  signals: readonly FundSignal[] | undefined;
  names: Record<string, string>;
  t: { buy: string; sell: string; noSignal: string };
}) {
  if (!signals) return null;
  const active = signals.filter((s) => s.direction !== "neutral");
  if (active.length === 0) return <Typography.Text type="secondary">{t.noSignal}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {active.map((s) => (
        <Tooltip key={s.name} title={`${s.date} · ${s.note ?? ""} (${s.value})`}>
          <Tag color={s.direction === "buy" ? "red" : "green"} style={{ marginInlineEnd: 0 }} data-testid="signal-tag">
            {names[s.name] ?? s.name} {s.direction === "buy" ? t.buy : t.sell}
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

export function SnifferPage() {
  const { t } = useI18n();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [q, setQ] = useState("");
  const [type, setType] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const funds = useFundsQuery(q, type, page, pageSize);
  const taskId = params.get("task");
  const batch = useSignalsBatch(taskId);
  const enqueue = useEnqueueSignals();
  const rows = funds.data?.items ?? [];

  const load = async (all: boolean) => {
    try {
      const res = await enqueue.mutateAsync(all ? { all: true } : { fund_codes: rows.map((r) => r.code) });
      const next = new URLSearchParams(params.toString());
      next.set("task", res.task_id);
      router.replace(`${pathname}?${next}`, { scroll: false });
      feedback.enqueued(t.sniffer.enqueued(res.task_id), `/tasks/${res.task_id}`);
    } catch (err) {
      feedback.failed(err);
    }
  };

  const m = batch.meta;
  const done = m ? Object.keys(batch.byFund).length : 0;
  const logHref = m?.run_id ? `/tasks/runs/${m.run_id}` : taskId ? `/tasks/${taskId}` : null;

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <Typography.Title level={4} style={{ margin: 0, whiteSpace: "nowrap" }}>
          {t.sniffer.title}
        </Typography.Title>
        {canOperate && (
          <Dropdown.Button
            type="primary"
            loading={enqueue.isPending}
            onClick={() => void load(false)}
            menu={{ items: [{ key: "all", label: t.sniffer.loadAll }], onClick: () => void load(true) }}
          >
            {t.sniffer.load}
          </Dropdown.Button>
        )}
      </div>

      {taskId && (
        <Card size="small">
          <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
            <div style={{ minWidth: 320 }}>
              <Typography.Text type="secondary">{t.sniffer.progress(done, m?.expected ? String(m.expected) : "…")}</Typography.Text>
              <Progress
                percent={m?.progress ?? 0}
                status={m?.status === "failed" ? "exception" : m?.status === "succeeded" ? "success" : "active"}
                data-testid="signals-progress"
              />
            </div>
            {logHref && <Link href={logHref}>{t.sniffer.viewLog}</Link>}
          </Space>
          {batch.error && <Alert type="error" showIcon message={batch.error} />}
        </Card>
      )}

      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search
            allowClear
            placeholder={t.sniffer.search}
            style={{ width: 260 }}
            onSearch={(v) => {
              setQ(v.trim());
              setPage(1);
            }}
          />
          <Select
            allowClear
            placeholder={t.sniffer.type}
            style={{ width: 140 }}
            value={type}
            onChange={(v) => {
              setType(v);
              setPage(1);
            }}
            options={Object.entries(t.sniffer.types).map(([value, label]) => ({ value, label }))}
          />
        </Space>
        <Table<FundRow>
          rowKey="code"
          size="middle"
          loading={funds.isLoading}
          dataSource={rows}
          pagination={{
            current: page,
            pageSize,
            total: funds.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100],
            onChange: (p, s) => {
              setPage(p);
              setPageSize(s);
            },
          }}
          columns={[
            { title: t.sniffer.code, dataIndex: "code", width: 100, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            { title: t.sniffer.name, dataIndex: "name", width: 220 },
            {
              title: t.sniffer.type,
              dataIndex: "fund_type",
              width: 90,
              render: (v: string | null) => (v ? ((t.sniffer.types as Record<string, string>)[v] ?? v) : "—"),
            },
            {
              title: t.sniffer.nav,
              dataIndex: "latest_nav",
              width: 100,
              align: "right",
              render: (v: number | null) => (v === null ? "—" : v.toFixed(4)),
            },
            { title: t.sniffer.date, dataIndex: "latest_date", width: 110 },
            { title: t.sniffer.r1m, dataIndex: "return_1m", width: 90, align: "right", render: pctCell },
            { title: t.sniffer.r1y, dataIndex: "return_1y", width: 90, align: "right", render: pctCell },
            {
              title: t.sniffer.signals,
              key: "signals",
              render: (_: unknown, r) => <SignalTags signals={batch.byFund[r.code]} names={t.sniffer.names} t={t.sniffer} />,
            },
          ]}
        />
      </Card>
    </Space>
  );
}
