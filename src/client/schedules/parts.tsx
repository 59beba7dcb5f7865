"use client";
/** Pieces of a schedule shown on both the list and a schedule's page: its timing, its tags, its last run. */
import Link from "next/link";
import { Space, Tag, Tooltip, Typography } from "antd";
import type { ScheduleJson } from "@/contracts/schedules";
import type { TaskJson } from "@/contracts/tasks";
import { useFeedback } from "../feedback";
import { useScheduleActions } from "../hooks/useSchedules";
import { useI18n } from "../i18n";
import { formatTime } from "../format";
import { TaskStatusTag } from "../tasks/StatusTag";
import { describeInterval } from "./format";

const TASK_STATUSES: readonly string[] = ["queued", "running", "succeeded", "failed", "cancelled"] satisfies TaskJson["status"][];

/** A task status as its coloured tag (an unknown one as plain text). */
export function AnyTaskStatusTag({ status }: { status: string }) {
  return TASK_STATUSES.includes(status) ? (
    <TaskStatusTag status={status as TaskJson["status"]} />
  ) : (
    <Tag style={{ marginInlineEnd: 0 }}>{status}</Tag>
  );
}

/** When a schedule fires: the cron and its zone, the interval, the moment, 收盘后 +N 分钟, or 常驻任务. */
export function ScheduleTimingView({ s }: { s: ScheduleJson }) {
  const { t, lang } = useI18n();
  return (
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
      ) : s.kind === "after_close" ? (
        <Tooltip title={t.schedules.afterCloseTip(s.after_close_minutes ?? 0)}>
          <span data-testid="after-close" style={{ whiteSpace: "nowrap" }}>
            {t.schedules.afterClose(s.after_close_minutes ?? 0)}
          </span>
        </Tooltip>
      ) : (
        <span>{t.schedules.onceAt(formatTime(s.run_at, lang))}</span>
      )}
      {s.trading_days_only && (s.kind === "cron" || s.kind === "interval") && <Tag color="gold">{t.schedules.tradingDays}</Tag>}
    </Space>
  );
}

/**
 * Triggers a schedule now with the page's own trigger mutation (so its pending state drives the
 * page's buttons) and confirms with the link to the task, or says what went wrong.
 */
export function useTriggerSchedule(mutation: ReturnType<typeof useScheduleActions>["trigger"]): (id: string) => Promise<void> {
  const { t } = useI18n();
  const feedback = useFeedback();
  return async (id) => {
    try {
      const res = await mutation.mutateAsync(id);
      feedback.enqueued(t.schedules.triggered(res.task_id), `/tasks/${res.task_id}`);
    } catch (err) {
      feedback.failed(err);
    }
  };
}

/** The blocked reason in the UI's language (the server's known reasons are translated). */
export function useBlockedReason(): (reason: string | null) => string | null {
  const t = useI18n().t;
  return (reason) => {
    if (!reason) return null;
    const env = /no feed URL configured: set (\w+)/.exec(reason)?.[1];
    const prefix = /^([\w]+): no feed URL/.exec(reason)?.[1];
    return env ? `${prefix ? `${prefix}：` : ""}${t.schedules.feedMissing(env)}` : reason;
  };
}

/** 配置文件 (declared in config/tasks.yaml) and 未配置数据源 (with the reason on hover). */
export function ScheduleTags({ s }: { s: ScheduleJson }) {
  const t = useI18n().t;
  const blocked = useBlockedReason();
  if (!s.from_catalogue && !s.blocked_reason) return null;
  return (
    <Space size={4} wrap>
      {s.from_catalogue && (
        <Tooltip title={t.schedules.catalogueTip}>
          <Tag color="blue" style={{ marginInlineEnd: 0 }} data-testid="catalogue-tag">
            {t.schedules.catalogueTag}
          </Tag>
        </Tooltip>
      )}
      {s.blocked_reason && (
        <Tooltip title={blocked(s.blocked_reason)}>
          <Tag color="warning" style={{ marginInlineEnd: 0 }} data-testid="blocked-tag">
            {t.schedules.blockedTag}
          </Tag>
        </Tooltip>
      )}
    </Space>
  );
}

/** The last time it fired and how that task ended (a link to the task). */
export function ScheduleLastRun({ s }: { s: ScheduleJson }) {
  const { lang } = useI18n();
  if (!s.last_run_at && !s.last_task_id) return <>—</>;
  return (
    <Space size={6} wrap>
      <span>{formatTime(s.last_run_at, lang)}</span>
      {s.last_task_id && (
        <Link href={`/tasks/${s.last_task_id}`} data-testid="last-task">
          {s.last_status ? <AnyTaskStatusTag status={s.last_status} /> : `#${s.last_task_id}`}
        </Link>
      )}
    </Space>
  );
}
