"use client";
/**
 * A cursor-paginated task table with per-row and bulk actions (for operators). Clicking a task
 * opens its latest run (or, before it has one, the task page that waits for it).
 */
import { useEffect, useState } from "react";
import Link from "next/link";
import { App, Button, Empty, Popconfirm, Progress, Space, Table, Tooltip, Typography } from "antd";
import type { TaskJson } from "@/contracts/tasks";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { etaSeconds, formatDuration, formatTime } from "../format";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useTaskActions, useTaskListQuery, type TaskFilters } from "../hooks/useTasks";
import { TaskStatusTag } from "./StatusTag";
import { BulkByFilter } from "./BulkByFilter";
import { CursorPager, useCursorStack } from "../CursorPager";

/** Where a task is looked at: its latest run, or the task page until it has one. */
export function taskHref(t: Pick<TaskJson, "id" | "run_id">): string {
  return t.run_id ? `/tasks/runs/${t.run_id}` : `/tasks/${t.id}`;
}

export function TaskTable({ filters }: { filters: TaskFilters }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const filterKey = JSON.stringify(filters);
  const stack = useCursorStack(filterKey);
  const [selected, setSelected] = useState<string[]>([]);
  const list = useTaskListQuery(filters, stack.cursor);
  const types = useTaskTypesQuery();
  const actions = useTaskActions();
  const titleOf = new Map((types.data?.items ?? []).map((x) => [x.name, x.title]));

  // New filters start with nothing selected (and, through the stack, on the first page).
  useEffect(() => setSelected([]), [filterKey]);

  const act = (p: Promise<unknown>, ok: React.ReactNode) => feedback.run(p, ok);

  const bulk = async (action: "cancel" | "retry" | "delete") => {
    try {
      const res = await actions.bulk.mutateAsync({ action, ids: selected });
      message.info(t.tasks.bulk.done(res.ok, res.failed));
      setSelected([]);
    } catch (err) {
      feedback.failed(err);
    }
  };

  const bulkBar = (
    <Space>
      <Typography.Text>{t.tasks.bulk.selected(selected.length)}</Typography.Text>
      <Button size="small" onClick={() => void bulk("cancel")}>
        {t.tasks.bulk.cancel}
      </Button>
      <Button size="small" onClick={() => void bulk("retry")}>
        {t.tasks.bulk.retry}
      </Button>
      <Popconfirm title={t.tasks.confirmBulkDelete(selected.length)} onConfirm={() => void bulk("delete")}>
        <Button size="small" danger>
          {t.tasks.bulk.delete}
        </Button>
      </Popconfirm>
    </Space>
  );

  const rows = list.data?.items ?? [];
  return (
    <>
      {canOperate && (
        <div
          style={{
            display: "flex",
            justifyContent: "space-between",
            alignItems: "center",
            marginBottom: 12,
            minHeight: 24,
            gap: 8,
            flexWrap: "wrap",
          }}
        >
          <span>{selected.length > 0 && bulkBar}</span>
          <BulkByFilter filters={filters} />
        </div>
      )}
      <Table<TaskJson>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: <Empty description={t.tasks.empty} /> }}
        rowSelection={canOperate ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) } : undefined}
        scroll={{ x: 1100 }}
        columns={[
          { title: t.tasks.col.id, dataIndex: "id", width: 80, render: (id: string, r) => <Link href={taskHref(r)}>#{id}</Link> },
          {
            title: t.tasks.col.type,
            dataIndex: "type",
            width: 170,
            render: (type: string, r) => (
              <Link href={taskHref(r)}>
                <Space direction="vertical" size={0}>
                  <span>{titleOf.get(type) ?? type}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {type}
                  </Typography.Text>
                </Space>
              </Link>
            ),
          },
          { title: t.tasks.col.queue, dataIndex: "queue", width: 90 },
          { title: t.tasks.col.status, dataIndex: "status", width: 96, render: (s: TaskJson["status"]) => <TaskStatusTag status={s} /> },
          { title: t.tasks.col.priority, dataIndex: "priority", width: 80 },
          {
            title: t.tasks.col.progress,
            width: 220,
            render: (_: unknown, r) => {
              if (r.status === "queued") return <Typography.Text type="secondary">{formatTime(r.run_at, lang)}</Typography.Text>;
              const eta = r.status === "running" ? etaSeconds(r.progress, r.started_at) : null;
              return (
                <div>
                  <Progress
                    percent={r.progress}
                    size="small"
                    status={r.status === "failed" ? "exception" : r.status === "running" ? "active" : undefined}
                  />
                  {(r.progress_message || eta !== null) && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {[r.progress_message, eta !== null ? t.tasks.eta(formatDuration(eta * 1000)) : null].filter(Boolean).join(" · ")}
                    </Typography.Text>
                  )}
                </div>
              );
            },
          },
          { title: t.tasks.col.attempts, width: 70, render: (_: unknown, r) => `${r.attempts}/${r.max_attempts}` },
          { title: t.tasks.col.created, dataIndex: "created_at", width: 170, render: (v: string) => formatTime(v, lang) },
          {
            title: t.tasks.col.duration,
            width: 100,
            render: (_: unknown, r) =>
              r.started_at
                ? formatDuration((r.finished_at ? new Date(r.finished_at).getTime() : Date.now()) - new Date(r.started_at).getTime())
                : "—",
          },
          {
            title: t.tasks.col.error,
            dataIndex: "error",
            ellipsis: true,
            render: (e: string | null) =>
              e ? (
                <Tooltip title={e.split("\n")[0]}>
                  <Typography.Text type="danger">{e.split("\n")[0]}</Typography.Text>
                </Tooltip>
              ) : (
                "—"
              ),
          },
          ...(canOperate
            ? [
                {
                  title: t.common.actions,
                  width: 150,
                  fixed: "right" as const,
                  render: (_: unknown, r: TaskJson) => (
                    <Space size={4}>
                      {(r.status === "queued" || r.status === "running") && (
                        <Button
                          size="small"
                          disabled={r.cancel_requested}
                          onClick={() =>
                            void act(actions.cancel.mutateAsync(r.id), r.status === "queued" ? t.tasks.cancelled : t.tasks.cancelRequested)
                          }
                        >
                          {t.common.cancel}
                        </Button>
                      )}
                      {(r.status === "failed" || r.status === "cancelled") && (
                        <Button
                          size="small"
                          onClick={() =>
                            void act(
                              actions.retry.mutateAsync(r.id),
                              <span>
                                {t.tasks.retried} · <Link href={`/tasks/${r.id}`}>{t.common.goToRun}</Link>
                              </span>,
                            )
                          }
                        >
                          {t.common.retry}
                        </Button>
                      )}
                      {(r.status === "succeeded" || r.status === "failed" || r.status === "cancelled") && (
                        <Popconfirm title={t.tasks.confirmDelete} onConfirm={() => void act(actions.remove.mutateAsync(r.id), t.tasks.deleted)}>
                          <Button size="small" danger>
                            {t.common.delete}
                          </Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <CursorPager stack={stack} nextCursor={list.data?.next_cursor} />
    </>
  );
}
