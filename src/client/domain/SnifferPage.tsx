"use client";
/**
 * /sniffer (嗅探): a paginated, searchable fund table with unit, accumulated and adjusted NAV and
 * the returns (from the adjusted NAV). 加载信号 enqueues a signals batch for the funds in view
 * (or all), shows its progress, polls the result pages and merges them into signalsByFund,
 * shown as tags per fund. The task id is kept in the URL, so a reload resumes. A fund's code
 * opens its NAV chart (adjusted, unit or accumulated) with its dividends and splits.
 */
import { useEffect, useRef, useState } from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Alert, Card, Drawer, Dropdown, Empty, Input, Progress, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { useFundNavQuery, useFundsQuery, type FundRow } from "../hooks/useFunds";
import { NavChart } from "../tasks/charts";
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
  t: { buy: string; sell: string; noSignal: string; notApplicable: Record<string, string> };
}) {
  if (!signals) return null;
  // Money funds and constant series: every signal is "na" for the same reason, said once.
  const whole = signals.length > 0 && signals.every((s) => s.direction === "na" && s.reason && s.reason !== "insufficient_data");
  if (whole)
    return (
      <Typography.Text type="secondary" data-testid="signals-na">
        {t.notApplicable[signals[0].reason as string]}
      </Typography.Text>
    );
  const active = signals.filter((s) => s.direction === "buy" || s.direction === "sell");
  if (active.length === 0) return <Typography.Text type="secondary">{t.noSignal}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {active.map((s) => (
        <Tooltip key={s.name} title={`${s.date} · ${s.note ?? ""} (${s.value ?? "—"})`}>
          <Tag color={s.direction === "buy" ? "red" : "green"} style={{ marginInlineEnd: 0 }} data-testid="signal-tag">
            {names[s.name] ?? s.name} {s.direction === "buy" ? t.buy : t.sell}
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

const nav4 = (v: number | null) => (v === null ? "—" : v.toFixed(4));

/** A fund's NAV chart (adjusted, unit or accumulated) and its dividends and splits, in a drawer. */
function NavDrawer({ fund, onClose }: { fund: FundRow | null; onClose: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<"adj" | "nav" | "acc">("adj");
  const q = useFundNavQuery(fund?.code ?? null);
  const data = q.data;
  const field = kind === "adj" ? "adj_nav" : kind === "acc" ? "acc_nav" : "nav";
  const marks = (data?.actions ?? []).map((a) => ({
    date: a.date,
    label: [a.dividend > 0 ? `${t.sniffer.dividend} ${a.dividend}` : "", a.split !== 1 ? `${t.sniffer.split} ${a.split}` : ""]
      .filter(Boolean)
      .join(" · "),
  }));
  return (
    <Drawer open={fund !== null} onClose={onClose} width={760} title={fund ? t.sniffer.navChart(fund.code, fund.name) : ""} destroyOnHidden>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Segmented
          value={kind}
          onChange={(v) => setKind(v as typeof kind)}
          options={(["adj", "nav", "acc"] as const).map((k) => ({ value: k, label: t.sniffer.navKinds[k] }))}
          data-testid="nav-kind"
        />
        {data && <NavChart name={t.sniffer.navKinds[kind]} points={data.points.map((p) => ({ date: p.date, value: p[field] }))} marks={marks} />}
        <Typography.Text type="secondary">{t.sniffer.adjNavTip}</Typography.Text>
        <Typography.Title level={5} style={{ marginTop: 8 }}>
          {t.sniffer.actions}
        </Typography.Title>
        <Table
          rowKey="date"
          size="small"
          loading={q.isLoading}
          dataSource={[...(data?.actions ?? [])].reverse()}
          locale={{ emptyText: <Empty description={t.sniffer.noActions} /> }}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            { title: t.sniffer.exDate, dataIndex: "date", width: 120 },
            { title: t.sniffer.dividend, dataIndex: "dividend", align: "right", render: (v: number) => (v > 0 ? v : "—") },
            { title: t.sniffer.split, dataIndex: "split", align: "right", render: (v: number) => (v !== 1 ? v : "—") },
          ]}
          data-testid="nav-actions"
        />
      </Space>
    </Drawer>
  );
}

export function SnifferPage() {
  const { t } = useI18n();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  // ?fund=CODE (a result table's fund link): look the fund up and open its NAV.
  const linkedFund = params.get("fund");
  const [q, setQ] = useState(linkedFund ?? "");
  const [type, setType] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const funds = useFundsQuery(q, type, page, pageSize);
  const taskId = params.get("task");
  const batch = useSignalsBatch(taskId);
  const enqueue = useEnqueueSignals();
  const rows = funds.data?.items ?? [];
  const [navFund, setNavFund] = useState<FundRow | null>(null);
  const openedLinked = useRef(false);
  useEffect(() => {
    if (!linkedFund || openedLinked.current) return;
    const hit = rows.find((r) => r.code === linkedFund);
    if (hit) {
      openedLinked.current = true;
      setNavFund(hit);
    }
  }, [linkedFund, rows]);

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
            defaultValue={linkedFund ?? undefined}
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
            {
              title: t.sniffer.code,
              dataIndex: "code",
              width: 100,
              render: (v: string, r) => (
                <Typography.Link code onClick={() => setNavFund(r)} data-testid="fund-code">
                  {v}
                </Typography.Link>
              ),
            },
            { title: t.sniffer.name, dataIndex: "name", width: 220 },
            {
              title: t.sniffer.type,
              dataIndex: "fund_type",
              width: 90,
              render: (v: string | null) => (v ? ((t.sniffer.types as Record<string, string>)[v] ?? v) : "—"),
            },
            { title: t.sniffer.nav, dataIndex: "latest_nav", width: 90, align: "right", render: nav4 },
            { title: t.sniffer.accNav, dataIndex: "latest_acc_nav", width: 90, align: "right", render: nav4 },
            {
              title: <Tooltip title={t.sniffer.adjNavTip}>{t.sniffer.adjNav}</Tooltip>,
              dataIndex: "latest_adj_nav",
              width: 90,
              align: "right",
              render: nav4,
            },
            { title: t.sniffer.date, dataIndex: "latest_date", width: 110 },
            { title: t.sniffer.r1m, dataIndex: "return_1m", width: 80, align: "right", render: pctCell },
            { title: t.sniffer.r3m, dataIndex: "return_3m", width: 80, align: "right", render: pctCell },
            { title: t.sniffer.r1y, dataIndex: "return_1y", width: 80, align: "right", render: pctCell },
            {
              title: t.sniffer.signals,
              key: "signals",
              render: (_: unknown, r) => <SignalTags signals={batch.byFund[r.code]} names={t.sniffer.names} t={t.sniffer} />,
            },
          ]}
        />
      </Card>
      <NavDrawer fund={navFund} onClose={() => setNavFund(null)} />
    </Space>
  );
}
