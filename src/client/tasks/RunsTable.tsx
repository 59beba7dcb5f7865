"use client";
/** 执行历史: every run, newest first, filterable by type, status and time. */
import { useState, type ReactNode } from "react";
import Link from "next/link";
import { DatePicker, Empty, Select, Space, Table, Typography, type TableColumnsType } from "antd";
import type { Dayjs } from "dayjs";
import type { RunJson } from "@/contracts/tasks";
import { useI18n, type Lang } from "../i18n";
import type { Dict } from "../i18n/zh";
import { formatDuration, formatTime } from "../format";
import { useRunListQuery, type RunRow } from "../hooks/useRuns";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { RunStatusTag } from "./StatusTag";
import { CursorPager, useCursorStack } from "../CursorPager";

const RUN_STATUSES: RunJson["status"][] = ["running", "succeeded", "failed", "timed_out", "cancelled", "lost", "requeued"];

/**
 * The columns of a run list, shared by 执行历史 and a schedule's page. `runLink` renders the run
 * id's cell; `type` and `worker` columns are optional (a schedule's runs are all of one type).
 */
export function runColumns(
  t: Dict,
  lang: Lang,
  opts: { runLink?: (id: string) => ReactNode; withType?: boolean; withWorker?: boolean } = {},
): TableColumnsType<RunRow> {
  return [
    {
      title: t.schedules.detail.run,
      dataIndex: "id",
      width: 90,
      render: (id: string) => opts.runLink?.(id) ?? <Link href={`/tasks/runs/${id}`}>#{id}</Link>,
    },
    { title: t.tasks.col.id, dataIndex: "task_id", width: 90, render: (id: string) => <Link href={`/tasks/${id}`}>#{id}</Link> },
    ...(opts.withType ? [{ title: t.tasks.col.type, dataIndex: "type", width: 150 }] : []),
    { title: t.tasks.col.status, dataIndex: "status", width: 110, render: (s: RunJson["status"]) => <RunStatusTag status={s} /> },
    { title: t.tasks.col.attempts, dataIndex: "attempt", width: 70 },
    { title: t.tasks.col.started, dataIndex: "started_at", width: 170, render: (v: string) => formatTime(v, lang) },
    { title: t.tasks.col.duration, dataIndex: "duration_ms", width: 100, render: (v: number | null) => formatDuration(v) },
    ...(opts.withWorker ? [{ title: t.tasks.col.worker, dataIndex: "worker_id", width: 200, ellipsis: true }] : []),
    {
      title: t.tasks.col.error,
      dataIndex: "error",
      ellipsis: true,
      render: (e: string | null) => (e ? <Typography.Text type="danger">{e.split("\n")[0]}</Typography.Text> : "—"),
    },
  ];
}

export function RunsTable() {
  const { t, lang } = useI18n();
  const types = useTaskTypesQuery();
  const [type, setType] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const filters = { type, status, from: range?.[0]?.toISOString(), to: range?.[1]?.toISOString() };
  const stack = useCursorStack(JSON.stringify(filters));
  const runs = useRunListQuery(filters, stack.cursor);

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t.tasks.filters.type}
          style={{ width: 180 }}
          value={type}
          onChange={setType}
          options={(types.data?.items ?? []).map((x) => ({ value: x.name, label: x.title }))}
        />
        <Select
          allowClear
          placeholder={t.tasks.filters.status}
          style={{ width: 140 }}
          value={status}
          onChange={setStatus}
          options={RUN_STATUSES.map((s) => ({ value: s, label: t.runStatus[s] }))}
        />
        <DatePicker.RangePicker showTime value={range} onChange={(v) => setRange(v as [Dayjs | null, Dayjs | null] | null)} />
      </Space>
      <Table<RunRow>
        rowKey="id"
        size="middle"
        loading={runs.isLoading}
        dataSource={runs.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <Empty /> }}
        columns={runColumns(t, lang, { withType: true, withWorker: true })}
      />
      <CursorPager stack={stack} nextCursor={runs.data?.next_cursor} />
    </>
  );
}
