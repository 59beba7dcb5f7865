"use client";
/**
 * 补数/回填 on a schedule's page, for task types with an as-of date: operators run the task
 * over a date range (one task per trading day, one batch; the message links to the batch in
 * 任务队列), and everyone sees a grid of each backfill's dates coloured by status, polled while
 * any date is queued or running.
 */
import { useState } from "react";
import Link from "next/link";
import { Alert, Button, Card, DatePicker, Space, Spin, Tooltip, Typography, theme } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import type { BackfillJson } from "@/contracts/backfills";
import type { ScheduleJson } from "@/contracts/schedules";
import type { TaskJson } from "@/contracts/tasks";
import { ApiError } from "../api";
import { useFeedback } from "../feedback";
import { formatTime } from "../format";
import { useBackfillMutation, useBackfillsQuery } from "../hooks/useBackfills";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { THEME_VARS } from "../theme";

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

/** 补数/回填: the range form (operators) and the grid of every recent backfill. */
export function BackfillCard({ s }: { s: ScheduleJson }) {
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
    <div data-testid="backfill" style={{ borderTop: `1px solid ${THEME_VARS.border}`, paddingTop: 8 }}>
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
