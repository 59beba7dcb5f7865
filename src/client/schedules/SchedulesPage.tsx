"use client";
/**
 * /schedules (定时任务): every schedule with its timing, the next run (hover for the next five),
 * the last run and how it ended; operators pause/resume with the switch, run one now (the
 * message links to the task it enqueued), edit and delete, and create new ones from the form.
 * A name opens the schedule's page (runs, backfills). Schedules from config/tasks.yaml carry a
 * 配置文件 tag; one whose feed has no URL says so and cannot be switched on. 导出 downloads
 * every schedule as YAML; 导入 (admins) previews a YAML file's changes before applying them.
 */
import { useState } from "react";
import Link from "next/link";
import { Alert, Button, Empty, Popconfirm, Space, Switch, Table, Tag, Tooltip, Typography } from "antd";
import type { ScheduleJson } from "@/contracts/schedules";
import { ApiError } from "../api";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { formatTime } from "../format";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useScheduleActions, useSchedulesQuery } from "../hooks/useSchedules";
import { CursorPager, useCursorStack } from "../CursorPager";
import { ImportExport } from "./ImportExport";
import { ScheduleLastRun, ScheduleTags, ScheduleTimingView, useBlockedReason, useTriggerSchedule } from "./parts";
import { ScheduleFormModal } from "./ScheduleFormModal";
import { THEME_VARS } from "../theme";

/** The form's state: which schedule (none: a new one), and a key so every opening starts fresh. */
interface FormState {
  open: boolean;
  schedule?: ScheduleJson;
  key: number;
}

export function SchedulesPage() {
  const { t, lang } = useI18n();
  const blocked = useBlockedReason();
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

  const triggerNow = useTriggerSchedule(actions.trigger);
  const trigger = (s: ScheduleJson) => triggerNow(s.id);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t.schedules.title}
        </Typography.Title>
        <Space>
          <Button onClick={() => void list.refetch()}>{t.common.refresh}</Button>
          <ImportExport />
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
        scroll={{ x: 1180 }}
        data-testid="schedules-table"
        columns={[
          {
            title: t.schedules.col.name,
            dataIndex: "name",
            width: 240,
            render: (name: string, s) => (
              <Space orientation="vertical" size={2} style={{ maxWidth: "100%" }}>
                <Link href={`/schedules/${s.id}`} data-testid="schedule-link" style={{ fontWeight: 600, wordBreak: "break-all" }}>
                  {name}
                </Link>
                {s.description && (
                  <Typography.Paragraph
                    type="secondary"
                    style={{ fontSize: 12, margin: 0 }}
                    ellipsis={{ rows: 2, tooltip: s.description }}
                    data-testid="schedule-description"
                  >
                    {s.description}
                  </Typography.Paragraph>
                )}
                <ScheduleTags s={s} />
              </Space>
            ),
          },
          {
            title: t.schedules.col.type,
            dataIndex: "task_type",
            width: 150,
            render: (type: string) => (
              <Space orientation="vertical" size={0}>
                <span>{titleOf.get(type) ?? type}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: "break-word" }}>
                  {type}
                </Typography.Text>
              </Space>
            ),
          },
          { title: t.schedules.col.timing, width: 190, render: (_: unknown, s) => <ScheduleTimingView s={s} /> },
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
                  <span data-testid="next-run" style={{ borderBottom: `1px dashed ${THEME_VARS.textQuaternary}`, cursor: "help" }}>
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
            render: (_: string | null, s) => <ScheduleLastRun s={s} />,
          },
          {
            title: t.schedules.col.enabled,
            dataIndex: "enabled",
            width: 96,
            render: (enabled: boolean, s) =>
              canOperate ? (
                <Tooltip title={s.blocked_reason && !enabled ? t.schedules.blockedSwitch(blocked(s.blocked_reason) as string) : undefined}>
                  <Switch
                    size="small"
                    checked={enabled}
                    // A schedule whose feed has no URL cannot be switched on (the API would refuse it with the reason).
                    disabled={!!s.blocked_reason && !enabled}
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
                </Tooltip>
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
                      <Button
                        size="small"
                        disabled={!!s.blocked_reason}
                        title={blocked(s.blocked_reason) ?? undefined}
                        loading={actions.trigger.isPending && actions.trigger.variables === s.id}
                        onClick={() => void trigger(s)}
                      >
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
