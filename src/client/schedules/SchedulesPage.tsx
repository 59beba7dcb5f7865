"use client";
/**
 * /schedules (定时任务): every schedule with its timing, the next run (hover for the next five),
 * the last run and how it ended; operators pause/resume with the switch, run one now (the
 * message links to the task it enqueued), edit and delete, and create new ones from the form.
 */
import { useState } from "react";
import Link from "next/link";
import { Alert, Button, Empty, Popconfirm, Space, Switch, Table, Tag, Tooltip, Typography } from "antd";
import type { ScheduleJson } from "@/contracts/schedules";
import type { TaskJson } from "@/contracts/tasks";
import { ApiError } from "../api";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { formatTime } from "../format";
import { useTaskTypesQuery } from "../hooks/useTasks";
import { useScheduleActions, useSchedulesQuery } from "../hooks/useSchedules";
import { TaskStatusTag } from "../tasks/StatusTag";
import { CursorPager, useCursorStack } from "../CursorPager";
import { describeInterval } from "./format";
import { ScheduleFormModal } from "./ScheduleFormModal";

const TASK_STATUSES: readonly string[] = ["queued", "running", "succeeded", "failed", "cancelled"] satisfies TaskJson["status"][];

/** The form's state: which schedule (none: a new one), and a key so every opening starts fresh. */
interface FormState {
  open: boolean;
  schedule?: ScheduleJson;
  key: number;
}

export function SchedulesPage() {
  const { t, lang } = useI18n();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const stack = useCursorStack("schedules");
  const list = useSchedulesQuery(stack.cursor);
  const types = useTaskTypesQuery();
  const actions = useScheduleActions();
  const [formState, setFormState] = useState<FormState>({ open: false, key: 0 });
  const titleOf = new Map((types.data?.items ?? []).map((x) => [x.name, x.title]));
  const rows = list.data?.items ?? [];

  const openForm = (schedule?: ScheduleJson) => setFormState((f) => ({ open: true, schedule, key: f.key + 1 }));

  const trigger = async (s: ScheduleJson) => {
    try {
      const res = await actions.trigger.mutateAsync(s.id);
      feedback.enqueued(t.schedules.triggered(res.task_id), `/tasks/${res.task_id}`);
    } catch (err) {
      feedback.failed(err);
    }
  };

  const timing = (s: ScheduleJson) => (
    <Space size={4} wrap>
      {s.kind === "cron" ? (
        <>
          <Typography.Text code style={{ whiteSpace: "nowrap" }}>
            {s.cron}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {s.timezone}
          </Typography.Text>
        </>
      ) : s.kind === "interval" ? (
        <span>{describeInterval(s.interval_seconds ?? 0, t)}</span>
      ) : s.kind === "supervised" ? (
        <Tag color="purple">{t.schedules.kinds.supervised}</Tag>
      ) : (
        <span>{t.schedules.onceAt(formatTime(s.run_at, lang))}</span>
      )}
      {s.trading_days_only && s.kind !== "once" && s.kind !== "supervised" && <Tag color="gold">{t.schedules.tradingDays}</Tag>}
    </Space>
  );

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t.schedules.title}
        </Typography.Title>
        <Space>
          <Button onClick={() => void list.refetch()}>{t.common.refresh}</Button>
          {canOperate && (
            <Button type="primary" onClick={() => openForm()}>
              {t.schedules.newSchedule}
            </Button>
          )}
        </Space>
      </div>

      {list.isError && (
        <Alert
          type="error"
          showIcon
          title={t.schedules.loadFailed}
          description={list.error instanceof ApiError ? list.error.message : undefined}
          action={
            <Button size="small" onClick={() => void list.refetch()}>
              {t.common.retry}
            </Button>
          }
          data-testid="schedules-error"
        />
      )}

      <Table<ScheduleJson>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: list.isLoading ? <span /> : <Empty description={t.schedules.empty} /> }}
        scroll={{ x: 1080 }}
        data-testid="schedules-table"
        columns={[
          {
            title: t.schedules.col.name,
            dataIndex: "name",
            width: 140,
            render: (name: string) => <Typography.Text strong>{name}</Typography.Text>,
          },
          {
            title: t.schedules.col.type,
            dataIndex: "task_type",
            width: 120,
            render: (type: string) => (
              <Space orientation="vertical" size={0}>
                <span>{titleOf.get(type) ?? type}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {type}
                </Typography.Text>
              </Space>
            ),
          },
          { title: t.schedules.col.timing, width: 190, render: (_: unknown, s) => timing(s) },
          {
            title: t.schedules.col.nextRun,
            dataIndex: "next_run_at",
            width: 165,
            render: (next: string | null, s) =>
              next && s.enabled ? (
                <Tooltip
                  title={
                    <div>
                      <div style={{ marginBottom: 4 }}>{t.schedules.nextRuns}</div>
                      {s.next_runs.map((iso) => (
                        <div key={iso}>{formatTime(iso, lang)}</div>
                      ))}
                    </div>
                  }
                >
                  <span data-testid="next-run" style={{ borderBottom: "1px dashed #bfbfbf", cursor: "help" }}>
                    {formatTime(next, lang)}
                  </span>
                </Tooltip>
              ) : (
                <Typography.Text type="secondary" data-testid="next-run">
                  {s.enabled ? t.schedules.noNext : "—"}
                </Typography.Text>
              ),
          },
          {
            title: t.schedules.col.lastRun,
            dataIndex: "last_run_at",
            width: 180,
            render: (last: string | null, s) =>
              last || s.last_task_id ? (
                <Space size={6} wrap>
                  <span>{formatTime(last, lang)}</span>
                  {s.last_task_id && (
                    <Link href={`/tasks/${s.last_task_id}`} data-testid="last-task">
                      {s.last_status && TASK_STATUSES.includes(s.last_status) ? (
                        <TaskStatusTag status={s.last_status as TaskJson["status"]} />
                      ) : s.last_status ? (
                        <Tag style={{ marginInlineEnd: 0 }}>{s.last_status}</Tag>
                      ) : (
                        `#${s.last_task_id}`
                      )}
                    </Link>
                  )}
                </Space>
              ) : (
                "—"
              ),
          },
          {
            title: t.schedules.col.enabled,
            dataIndex: "enabled",
            width: 84,
            render: (enabled: boolean, s) =>
              canOperate ? (
                <Switch
                  size="small"
                  checked={enabled}
                  loading={
                    (actions.pause.isPending && actions.pause.variables === s.id) || (actions.resume.isPending && actions.resume.variables === s.id)
                  }
                  aria-label={`${s.name} ${t.schedules.col.enabled}`}
                  data-testid="schedule-enabled-switch"
                  onChange={(on) =>
                    void feedback.run(
                      on ? actions.resume.mutateAsync(s.id) : actions.pause.mutateAsync(s.id),
                      on ? t.schedules.resumed : t.schedules.paused,
                    )
                  }
                />
              ) : (
                <Tag color={enabled ? "green" : "default"}>{enabled ? t.schedules.enabledTag : t.schedules.pausedTag}</Tag>
              ),
          },
          ...(canOperate
            ? [
                {
                  title: t.common.actions,
                  width: 200,
                  fixed: "right" as const,
                  render: (_: unknown, s: ScheduleJson) => (
                    <Space size={4}>
                      <Button size="small" loading={actions.trigger.isPending && actions.trigger.variables === s.id} onClick={() => void trigger(s)}>
                        {t.schedules.trigger}
                      </Button>
                      <Button size="small" onClick={() => openForm(s)}>
                        {t.schedules.edit}
                      </Button>
                      <Popconfirm
                        title={t.schedules.confirmDelete(s.name)}
                        okText={t.common.confirm}
                        cancelText={t.common.cancel}
                        onConfirm={() => void feedback.run(actions.remove.mutateAsync(s.id), t.schedules.deleted)}
                      >
                        <Button size="small" danger>
                          {t.common.delete}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <CursorPager stack={stack} nextCursor={list.data?.next_cursor} />
      {canOperate && formState.key > 0 && (
        <ScheduleFormModal
          key={formState.key}
          open={formState.open}
          schedule={formState.schedule}
          onClose={() => setFormState((f) => ({ ...f, open: false }))}
        />
      )}
    </Space>
  );
}
