"use client";
/**
 * /tasks (任务队列): the overview (cards, the last hour's throughput, workers and queues), a
 * batch's roll-up when filtering by one, and tabs by status and by category over one
 * filterable task table; 执行历史 lists runs; 类型耗时 charts p50/p95 per type. Tab and filters
 * live in the URL, so every view is a link.
 */
import { useState } from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { App, Badge, Button, Card, Empty, Input, Segmented, Select, Space, Table, Tabs, Typography } from "antd";
import type { TaskJson } from "@/contracts/tasks";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { ImportExport } from "../schedules/ImportExport";
import { formatDuration } from "../format";
import { useOverviewQuery, useStatisticsQuery } from "../hooks/useOverview";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import type { TaskFilters } from "../hooks/useTasks";
import { TimingChart } from "./charts";
import { BatchCard } from "./BatchCard";
import { OverviewPanel } from "./OverviewPanel";
import { CreateTaskModal } from "./CreateTaskModal";
import { RunsTable } from "./RunsTable";
import { TaskTable } from "./TaskTable";

const TABS = ["queued", "running", "recent", "all", "scheduled", "dataSync", "indicators", "scripts", "history", "timing"] as const;
type Tab = (typeof TABS)[number];

/** The fixed filters of each task tab. */
const TAB_FILTERS: Record<Exclude<Tab, "history" | "timing">, TaskFilters> = {
  queued: { status: "queued" },
  running: { status: "running" },
  recent: { status: "succeeded,failed,cancelled" },
  all: {},
  scheduled: { scheduled: "true" },
  dataSync: { category: "data_sync" },
  indicators: { category: "indicators" },
  scripts: { category: "scripts" },
};

/** Tabs that list tasks of every status, where the status filter applies. */
const ANY_STATUS: readonly Tab[] = ["all", "scheduled", "dataSync", "indicators", "scripts"];

const STATUSES: TaskJson["status"][] = ["queued", "running", "succeeded", "failed", "cancelled"];

export function TasksPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const canOperate = useCan("operator");
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const overview = useOverviewQuery();
  const types = useTaskTypesQuery();
  const [creating, setCreating] = useState(false);
  const [text, setText] = useState(params.get("q") ?? "");
  const [payloadText, setPayloadText] = useState(params.get("payload") ?? "");
  const [hours, setHours] = useState(24);
  const stats = useStatisticsQuery(hours);

  const tab = (TABS as readonly string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as Tab) : "all";
  const setParams = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(patch))
      if (v) next.set(k, v);
      else next.delete(k);
    router.replace(`${pathname}?${next}`, { scroll: false });
  };
  const payloadMatch = /^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$/.exec(params.get("payload") ?? "");
  const userFilters: TaskFilters = {
    type: params.get("type") ?? undefined,
    status: params.get("status") ?? undefined,
    queue: params.get("queue") ?? undefined,
    batch_id: params.get("batch_id") ?? undefined,
    q: params.get("q") ?? undefined,
    ...(payloadMatch ? { payload: [payloadMatch[1], payloadMatch[2]] as [string, string] } : {}),
  };
  const batchId = params.get("batch_id") ?? undefined;
  const o = overview.data;

  const filtersBar = (
    <Space wrap style={{ marginBottom: 12 }}>
      <Select
        allowClear
        showSearch
        optionFilterProp="label"
        placeholder={t.tasks.filters.type}
        style={{ width: 180 }}
        value={params.get("type") ?? undefined}
        onChange={(v) => setParams({ type: v })}
        options={(types.data?.items ?? []).map((x) => ({ value: x.name, label: x.title }))}
      />
      {ANY_STATUS.includes(tab) && (
        <Select
          allowClear
          placeholder={t.tasks.filters.status}
          style={{ width: 120 }}
          value={params.get("status") ?? undefined}
          onChange={(v) => setParams({ status: v })}
          options={STATUSES.map((s) => ({ value: s, label: t.status[s] }))}
        />
      )}
      <Select
        allowClear
        placeholder={t.tasks.filters.queue}
        style={{ width: 120 }}
        value={params.get("queue") ?? undefined}
        onChange={(v) => setParams({ queue: v })}
        options={[...new Set((types.data?.items ?? []).map((x) => x.queue))].map((q) => ({ value: q, label: q }))}
      />
      <Input
        allowClear
        placeholder={t.tasks.filters.batch}
        style={{ width: 160 }}
        defaultValue={batchId}
        onPressEnter={(e) => setParams({ batch_id: e.currentTarget.value.trim() || undefined })}
        onClear={() => setParams({ batch_id: undefined })}
      />
      <Input.Search
        allowClear
        placeholder={t.tasks.filters.text}
        style={{ width: 220 }}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onSearch={(v) => setParams({ q: v.trim() || undefined })}
      />
      <Input.Search
        allowClear
        placeholder={t.tasks.filters.payload}
        style={{ width: 260 }}
        value={payloadText}
        status={payloadText && !/^[A-Za-z_][A-Za-z0-9_]{0,63}=.*$/.test(payloadText) ? "error" : undefined}
        onChange={(e) => setPayloadText(e.target.value)}
        onSearch={(v) => {
          if (v && !/^[A-Za-z_][A-Za-z0-9_]{0,63}=.*$/.test(v)) return void message.warning(t.tasks.filters.payloadInvalid);
          setParams({ payload: v.trim() || undefined });
        }}
      />
    </Space>
  );

  const taskTab = (key: Exclude<Tab, "history" | "timing">) => ({
    key,
    label:
      key === "queued" || key === "running" ? (
        <Badge count={o?.counts[key] ?? 0} size="small" offset={[10, -2]} overflowCount={99999} color={key === "running" ? "#1f6feb" : "#8c8c8c"}>
          {t.tasks.tabs[key]}
        </Badge>
      ) : (
        t.tasks.tabs[key]
      ),
    children: (
      <>
        {filtersBar}
        <TaskTable
          filters={{
            ...userFilters,
            ...TAB_FILTERS[key],
            ...(ANY_STATUS.includes(key) ? { status: userFilters.status ?? TAB_FILTERS[key].status } : {}),
          }}
        />
      </>
    ),
  });

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t.tasks.title}
        </Typography.Title>
        <Space>
          <Button onClick={() => void overview.refetch()}>{t.common.refresh}</Button>
          <ImportExport />
          {canOperate && (
            <Button type="primary" onClick={() => setCreating(true)}>
              {t.tasks.newTask}
            </Button>
          )}
        </Space>
      </div>

      <OverviewPanel overview={o} />

      {batchId && <BatchCard batchId={batchId} />}

      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams({ tab: k === "all" ? undefined : k })}
          destroyOnHidden
          items={[
            taskTab("queued"),
            taskTab("running"),
            taskTab("recent"),
            taskTab("all"),
            taskTab("scheduled"),
            taskTab("dataSync"),
            taskTab("indicators"),
            taskTab("scripts"),
            { key: "history", label: t.tasks.tabs.history, children: <RunsTable /> },
            {
              key: "timing",
              label: t.tasks.tabs.timing,
              children: (
                <>
                  <Space style={{ marginBottom: 12 }}>
                    <Typography.Text strong>{t.tasks.timing.title}</Typography.Text>
                    <Segmented
                      value={hours}
                      onChange={(v) => setHours(Number(v))}
                      options={[
                        { value: 24, label: t.tasks.timing.day },
                        { value: 168, label: t.tasks.timing.week },
                      ]}
                    />
                  </Space>
                  {stats.data && stats.data.items.length > 0 ? (
                    <>
                      <TimingChart items={stats.data.items} />
                      <Table
                        rowKey="type"
                        size="small"
                        pagination={false}
                        dataSource={stats.data.items}
                        columns={[
                          {
                            title: t.tasks.col.type,
                            dataIndex: "type",
                            render: (type: string) => (
                              <Space>
                                <span>{type}</span>
                                <Link href={`/tasks/trends?type=${encodeURIComponent(type)}`} data-testid={`trend-link-${type}`}>
                                  {t.trends.link}
                                </Link>
                              </Space>
                            ),
                          },
                          { title: t.tasks.timing.count, dataIndex: "count" },
                          {
                            title: t.tasks.timing.successRate,
                            dataIndex: "success_rate",
                            render: (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`),
                          },
                          { title: t.tasks.timing.avg, dataIndex: "avg_ms", render: formatDuration },
                          { title: t.tasks.timing.p50, dataIndex: "p50_ms", render: formatDuration },
                          { title: t.tasks.timing.p95, dataIndex: "p95_ms", render: formatDuration },
                        ]}
                      />
                    </>
                  ) : (
                    <Empty description={t.tasks.timing.empty} />
                  )}
                </>
              ),
            },
          ]}
        />
      </Card>
      <CreateTaskModal open={creating} onClose={() => setCreating(false)} />
    </Space>
  );
}
