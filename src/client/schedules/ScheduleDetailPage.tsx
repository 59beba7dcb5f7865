"use client";
/**
 * /schedules/{id}: one schedule — its settings (timing, next five runs, last result, description,
 * why it cannot run), its recent runs, and for task types with an as-of date the 补数/回填 card
 * (Backfills.tsx).
 */
import { useState } from "react";
import Link from "next/link";
import { Alert, Breadcrumb, Button, Card, Descriptions, Empty, Result, Space, Spin, Table, Tag, Typography } from "antd";
import type { ScheduleJson } from "@/contracts/schedules";
import { ApiError } from "../api";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { formatDuration, formatTime, prettyJson } from "../format";
import { useRunListQuery, type RunRow } from "../hooks/useRuns";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useScheduleActions, useScheduleQuery } from "../hooks/useSchedules";
import { ScheduleFires } from "./ScheduleFires";
import { CursorPager, useCursorStack } from "../CursorPager";
import { runColumns } from "../tasks/RunsTable";
import { jsonBlock } from "../tasks/jsonBlock";
import { ScheduleLastRun, ScheduleTags, ScheduleTimingView, useBlockedReason, useTriggerSchedule } from "./parts";
import { BackfillCard } from "./Backfills";
import { ScheduleFormModal } from "./ScheduleFormModal";

/** The page of schedule `id` (404 when there is none). */
export function ScheduleDetailPage({ id }: { id: string }) {
  const { t } = useI18n();
  const q = useScheduleQuery(id);
  if (q.isLoading) return <Spin style={{ display: "block", margin: 80 }} />;
  if (q.error || !q.data) {
    const missing = q.error instanceof ApiError && q.error.status === 404;
    return (
      <Result
        status={missing ? "404" : "error"}
        title={missing ? t.schedules.detail.notFound : q.error instanceof ApiError ? q.error.message : t.common.failed}
        extra={<Link href="/schedules">{t.nav.schedules}</Link>}
      />
    );
  }
  return <ScheduleDetail s={q.data.schedule} />;
}

function ScheduleDetail({ s }: { s: ScheduleJson }) {
  const blocked = useBlockedReason();
  const { t, lang } = useI18n();
  const canOperate = useCan("operator");
  const types = useTaskTypesQuery();
  const actions = useScheduleActions();
  const [form, setForm] = useState({ open: false, key: 0 });
  const type = types.data?.items.find((x) => x.name === s.task_type);

  const triggerNow = useTriggerSchedule(actions.trigger);
  const trigger = () => triggerNow(s.id);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Breadcrumb items={[{ title: <Link href="/schedules">{t.nav.schedules}</Link> }, { title: s.name }]} />
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", gap: 12, flexWrap: "wrap" }}>
        <Space size="middle" wrap>
          <Typography.Title level={4} style={{ margin: 0, wordBreak: "break-all" }} data-testid="schedule-title">
            {s.name}
          </Typography.Title>
          <Tag color={s.enabled ? "green" : "default"} style={{ marginInlineEnd: 0 }}>
            {s.enabled ? t.schedules.enabledTag : t.schedules.pausedTag}
          </Tag>
          <ScheduleTags s={s} />
        </Space>
        {canOperate && (
          <Space>
            <Button disabled={!!s.blocked_reason} loading={actions.trigger.isPending} onClick={() => void trigger()}>
              {t.schedules.trigger}
            </Button>
            <Button onClick={() => setForm((f) => ({ open: true, key: f.key + 1 }))}>{t.schedules.edit}</Button>
          </Space>
        )}
      </div>

      {s.blocked_reason && (
        <Alert type="warning" showIcon title={t.schedules.detail.blocked} description={blocked(s.blocked_reason)} data-testid="schedule-blocked" />
      )}

      <Card size="small" title={t.schedules.detail.settings}>
        <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="schedule-settings">
          {s.description && (
            <Descriptions.Item label={t.schedules.detail.description} span={2}>
              {s.description}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t.schedules.col.type}>
            <Space size={6} wrap>
              <span>{type?.title ?? s.task_type}</span>
              <Typography.Text type="secondary" code>
                {s.task_type}
              </Typography.Text>
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t.schedules.col.timing}>
            <ScheduleTimingView s={s} />
          </Descriptions.Item>
          <Descriptions.Item label={t.schedules.nextRuns}>
            {s.enabled && s.next_runs.length > 0 ? (
              <div data-testid="schedule-next-runs">
                {s.next_runs.map((iso) => (
                  <div key={iso}>{formatTime(iso, lang)}</div>
                ))}
              </div>
            ) : (
              <Typography.Text type="secondary">{s.enabled ? t.schedules.noNext : "—"}</Typography.Text>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t.schedules.col.lastRun}>
            <ScheduleLastRun s={s} />
          </Descriptions.Item>
          <Descriptions.Item label={t.tasks.col.priority}>{s.priority}</Descriptions.Item>
          <Descriptions.Item label={t.schedules.form.misfire}>
            {s.misfire_policy === "skip" ? t.schedules.form.misfireSkip : t.schedules.form.misfireRunOnce}
          </Descriptions.Item>
          {s.kind !== "once" && s.kind !== "supervised" && (
            <Descriptions.Item label={t.schedules.form.overlap}>
              {s.overlap_policy === "skip"
                ? t.schedules.form.overlapSkip
                : s.overlap_policy === "cancel_previous"
                  ? t.schedules.form.overlapCancel
                  : t.schedules.form.overlapAllow}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t.schedules.detail.timeout}>
            {s.timeout_ms ? formatDuration(s.timeout_ms) : type ? `${formatDuration(type.timeout_ms)}` : "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t.schedules.detail.maxAttempts}>{s.max_attempts ?? type?.max_attempts ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t.schedules.detail.payload} span={2}>
            <pre style={{ ...jsonBlock, maxHeight: 200 }}>{prettyJson(s.payload)}</pre>
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <BackfillCard s={s} />

      <Card size="small" title={t.schedules.detail.recentRuns}>
        <ScheduleRuns scheduleId={s.id} />
      </Card>

      {s.kind !== "supervised" && <ScheduleFires scheduleId={s.id} />}

      {canOperate && form.key > 0 && (
        <ScheduleFormModal key={form.key} open={form.open} schedule={s} onClose={() => setForm((f) => ({ ...f, open: false }))} />
      )}
    </Space>
  );
}

/** The runs of the tasks this schedule enqueued (its backfills' included), newest first. */
function ScheduleRuns({ scheduleId }: { scheduleId: string }) {
  const { t, lang } = useI18n();
  const stack = useCursorStack(scheduleId);
  const runs = useRunListQuery({ schedule_id: scheduleId }, stack.cursor, 10);
  return (
    <>
      <Table<RunRow>
        rowKey="id"
        size="small"
        loading={runs.isLoading}
        dataSource={runs.data?.items ?? []}
        pagination={false}
        scroll={{ x: 860 }}
        locale={{ emptyText: <Empty description={t.schedules.detail.noRuns} /> }}
        data-testid="schedule-runs"
        columns={runColumns(t, lang, {
          runLink: (id) => (
            <Link href={`/tasks/runs/${id}`} data-testid="schedule-run-link">
              #{id}
            </Link>
          ),
        })}
      />
      <CursorPager stack={stack} nextCursor={runs.data?.next_cursor} />
    </>
  );
}
