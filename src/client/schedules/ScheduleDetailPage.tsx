"use client";
/**
 * /schedules/{id}: one schedule — its settings (timing, next five runs, last result, description,
 * why it cannot run), its recent runs, and for task types with an as-of date the 补数/回填 card:
 * operators run the task over a date range (one task per trading day, one batch; the message
 * links to the batch in 任务队列), and everyone sees a grid of each backfill's dates coloured by
 * status, polled while any date is queued or running.
 */
import { useState } from "react";
import Link from "next/link";
import { Alert, Breadcrumb, Button, Card, DatePicker, Descriptions, Empty, Result, Space, Spin, Table, Tag, Tooltip, Typography, theme } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import type { BackfillJson } from "@/contracts/backfills";
import type { ScheduleJson } from "@/contracts/schedules";
import type { TaskJson } from "@/contracts/tasks";
import { ApiError } from "../api";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { formatDuration, formatTime, prettyJson } from "../format";
import { useRunListQuery, type RunRow } from "../hooks/useRuns";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useBackfillMutation, useBackfillsQuery } from "../hooks/useBackfills";
import { useScheduleActions, useScheduleQuery } from "../hooks/useSchedules";
import { CursorPager, useCursorStack } from "../CursorPager";
import { runColumns } from "../tasks/RunsTable";
import { jsonBlock } from "../tasks/RunPage";
import { ScheduleLastRun, ScheduleTags, ScheduleTimingView, useBlockedReason, useTriggerSchedule } from "./parts";
import { ScheduleFormModal } from "./ScheduleFormModal";

const STATUSES: TaskJson["status"][] = ["queued", "running", "succeeded", "failed", "cancelled"];

/** The solid colour of a task status, matching its tag (grey waiting, blue running, green done, red failed, orange stopped). */
export function useStatusColors(): Record<string, string> {
  const { token } = theme.useToken();
  return {
    queued: token.colorTextQuaternary,
    running: token.colorPrimary,
    succeeded: token.colorSuccess,
    failed: token.colorError,
    cancelled: token.colorWarning,
  };
}

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
  const feedback = useFeedback();
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

/** 补数/回填: the range form (operators) and the grid of every recent backfill. */
function BackfillCard({ s }: { s: ScheduleJson }) {
  const { t } = useI18n();
  const bf = t.schedules.backfill;
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const supported = s.as_of_field !== null;
  const backfills = useBackfillsQuery(s.id, supported);
  const start = useBackfillMutation(s.id);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);

  const submit = async () => {
    const [from, to] = range ?? [null, null];
    if (!from || !to) return;
    try {
      const { backfill } = await start.mutateAsync({ from: from.format("YYYY-MM-DD"), to: to.format("YYYY-MM-DD") });
      feedback.enqueued(bf.started(backfill.dates.length, backfill.from, backfill.to), `/tasks?batch_id=${encodeURIComponent(backfill.batch_id)}`);
    } catch (err) {
      feedback.failed(err);
    }
  };

  if (!supported)
    return (
      <Card size="small" title={bf.title}>
        <Typography.Text type="secondary" data-testid="backfill-unsupported">
          {bf.notSupported}
        </Typography.Text>
      </Card>
    );

  const items = backfills.data?.items ?? [];
  return (
    <Card size="small" title={bf.title} data-testid="backfill-card">
      <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
        <Typography.Text type="secondary">{bf.help(s.as_of_field ?? "")}</Typography.Text>
        {canOperate ? (
          <Space wrap>
            <DatePicker.RangePicker
              value={range}
              onChange={(v) => setRange(v as [Dayjs | null, Dayjs | null] | null)}
              disabledDate={(d) => d.isAfter(dayjs(), "day")}
              aria-label={bf.range}
              data-testid="backfill-range"
            />
            <Button
              type="primary"
              disabled={!range?.[0] || !range?.[1] || !!s.blocked_reason}
              loading={start.isPending}
              onClick={() => void submit()}
            >
              {bf.start}
            </Button>
          </Space>
        ) : (
          <Typography.Text type="secondary">{bf.viewerNote}</Typography.Text>
        )}
        <div>
          <Typography.Text strong>{bf.history}</Typography.Text>
          {backfills.isLoading ? (
            <Spin size="small" style={{ marginInlineStart: 12 }} />
          ) : backfills.isError ? (
            <Alert type="error" showIcon title={backfills.error instanceof ApiError ? backfills.error.message : t.common.failed} />
          ) : items.length === 0 ? (
            <div>
              <Typography.Text type="secondary">{bf.none}</Typography.Text>
            </div>
          ) : (
            <Space orientation="vertical" size="middle" style={{ width: "100%", marginTop: 8 }}>
              {items.map((b) => (
                <BackfillGrid key={b.id} backfill={b} />
              ))}
            </Space>
          )}
        </div>
      </Space>
    </Card>
  );
}

/** One backfill: its range, counts per status (also the legend), and one coloured cell per date (click: the task). */
export function BackfillGrid({ backfill: b }: { backfill: BackfillJson }) {
  const { t, lang } = useI18n();
  const bf = t.schedules.backfill;
  const colors = useStatusColors();
  const label = (status: string) => (t.status as Record<string, string>)[status] ?? status;
  const statuses = [...STATUSES, ...Object.keys(b.counts).filter((k) => !(STATUSES as string[]).includes(k))];
  return (
    <div data-testid="backfill" style={{ borderTop: "1px solid #f0f0f0", paddingTop: 8 }}>
      <Space size="small" wrap style={{ display: "flex", marginBottom: 6 }}>
        <Typography.Text strong>{bf.span(b.from, b.to)}</Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {[bf.days(b.dates.length), b.created_by ? bf.by(b.created_by) : null, formatTime(b.created_at, lang)].filter(Boolean).join(" · ")}
        </Typography.Text>
        <Link href={`/tasks?batch_id=${encodeURIComponent(b.batch_id)}`} style={{ fontSize: 12 }}>
          {bf.openBatch}
        </Link>
      </Space>
      <Space size="middle" wrap style={{ display: "flex", marginBottom: 6 }} data-testid="backfill-counts">
        {statuses
          .filter((st) => (b.counts[st] ?? 0) > 0)
          .map((st) => (
            <span key={st} data-testid={`backfill-count-${st}`} style={{ display: "inline-flex", alignItems: "center", gap: 4, fontSize: 12 }}>
              <span style={{ width: 10, height: 10, borderRadius: 2, background: colors[st] ?? colors.queued, display: "inline-block" }} />
              {label(st)} <Typography.Text strong>{b.counts[st]}</Typography.Text>
            </span>
          ))}
      </Space>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 3 }} data-testid="backfill-grid">
        {b.dates.map((d) => (
          <Tooltip key={d.task_id} title={`${d.date} · ${label(d.status)}`} mouseEnterDelay={0.05}>
            <Link
              href={`/tasks/${d.task_id}`}
              aria-label={`${d.date} ${label(d.status)}`}
              data-testid="backfill-cell"
              data-status={d.status}
              data-date={d.date}
              style={{ width: 14, height: 14, borderRadius: 2, background: colors[d.status] ?? colors.queued, display: "inline-block" }}
            />
          </Tooltip>
        ))}
      </div>
    </div>
  );
}
