"use client";
/**
 * A schedule's latest slots: a grid of the last 30 (oldest to newest, each square coloured by
 * what became of it — the way Airflow's grid view reads), and the table of the same slots with
 * their times, tasks and why a slot was skipped.
 */
import Link from "next/link";
import { Card, Empty, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { ScheduleFireJson } from "@/contracts/schedules";
import type { TaskJson } from "@/contracts/tasks";
import { formatTime } from "../format";
import { useScheduleFiresQuery } from "../hooks/useSchedules";
import { useI18n } from "../i18n";
import { TaskStatusTag } from "../tasks/StatusTag";

/** The colour of a slot's square: its task's status, or skipped. */
const SLOT_COLOR: Record<string, string> = {
  succeeded: "#52c41a",
  failed: "#ff4d4f",
  running: "#1677ff",
  queued: "#bfbfbf",
  cancelled: "#595959",
  skipped: "#faad14",
  missing: "#d9d9d9",
};

/** What became of a slot, as SLOT_COLOR names it. */
export function slotOutcome(f: ScheduleFireJson): string {
  if (f.skip_reason) return "skipped";
  return f.task_status ?? "missing";
}

/** The grid of the last 30 slots, oldest first. */
function SlotGrid({ fires }: { fires: ScheduleFireJson[] }) {
  const { t, lang } = useI18n();
  const slots = [...fires].slice(0, 30).reverse();
  return (
    <div data-testid="slot-grid" style={{ display: "flex", gap: 4, flexWrap: "wrap", marginBottom: 12 }}>
      {slots.map((f) => {
        const outcome = slotOutcome(f);
        const label = outcome === "skipped" ? t.schedules.fires.skipped : outcome === "missing" ? "—" : t.status[outcome as TaskJson["status"]];
        const square = (
          <span
            data-testid="slot"
            data-outcome={outcome}
            style={{ display: "inline-block", width: 18, height: 18, borderRadius: 3, background: SLOT_COLOR[outcome] ?? SLOT_COLOR.missing }}
          />
        );
        return (
          <Tooltip key={f.slot} title={`${formatTime(f.slot, lang)} · ${label}${f.task_id ? ` · #${f.task_id}` : ""}`}>
            {f.task_id && !f.skip_reason ? <Link href={`/tasks/${f.task_id}`}>{square}</Link> : square}
          </Tooltip>
        );
      })}
    </div>
  );
}

/** The fire history card. */
export function ScheduleFires({ scheduleId }: { scheduleId: string }) {
  const { t, lang } = useI18n();
  const fires = useScheduleFiresQuery(scheduleId);
  const items = fires.data?.items ?? [];
  return (
    <Card size="small" title={t.schedules.fires.title}>
      {items.length > 0 && (
        <>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t.schedules.fires.grid}
          </Typography.Text>
          <SlotGrid fires={items} />
        </>
      )}
      <Table<ScheduleFireJson>
        rowKey="slot"
        size="small"
        loading={fires.isLoading}
        dataSource={items}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        data-testid="schedule-fires"
        locale={{ emptyText: <Empty description={t.schedules.fires.empty} /> }}
        columns={[
          { title: t.schedules.fires.slot, dataIndex: "slot", render: (v: string) => formatTime(v, lang) },
          { title: t.schedules.fires.firedAt, dataIndex: "fired_at", render: (v: string) => formatTime(v, lang) },
          {
            title: t.schedules.fires.outcome,
            render: (_, f) =>
              f.skip_reason ? (
                <Tag color="orange" data-testid="fire-skipped">
                  {f.skip_reason === "overlap" && f.task_id ? t.schedules.fires.skippedOverlap(f.task_id) : t.schedules.fires.skipped}
                </Tag>
              ) : (
                <Space size={6}>
                  <Tag color="blue">{t.schedules.fires.fired}</Tag>
                  {f.task_id && <Link href={`/tasks/${f.task_id}`}>#{f.task_id}</Link>}
                  {f.task_status && <TaskStatusTag status={f.task_status as TaskJson["status"]} />}
                </Space>
              ),
          },
        ]}
      />
    </Card>
  );
}
