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
import { TASK_STATUS_SWATCH, TaskStatusTag } from "../tasks/StatusTag";
import { THEME_VARS } from "../theme";

/** What became of a slot: its task's status, skipped, or missing (the task was deleted). */
function slotOutcome(f: ScheduleFireJson): TaskJson["status"] | "skipped" | "missing" {
  if (f.skip_reason) return "skipped";
  return (f.task_status as TaskJson["status"] | null) ?? "missing";
}

/** A slot's square: its task's status colour; a skipped slot hollow in the skipped tag's orange, a missing task's empty. */
function squareStyle(outcome: ReturnType<typeof slotOutcome>): React.CSSProperties {
  const base: React.CSSProperties = { display: "inline-block", width: 18, height: 18, borderRadius: 3, boxSizing: "border-box" };
  if (outcome === "skipped") return { ...base, border: `2px solid ${TASK_STATUS_SWATCH.cancelled}` };
  if (outcome === "missing") return { ...base, border: `1px dashed ${THEME_VARS.textQuaternary}` };
  return { ...base, background: TASK_STATUS_SWATCH[outcome] };
}

/** The grid of the last 30 slots, oldest first. */
function SlotGrid({ fires }: { fires: ScheduleFireJson[] }) {
  const { t, lang } = useI18n();
  const slots = [...fires].slice(0, 30).reverse();
  return (
    <div data-testid="slot-grid" style={{ display: "flex", gap: 4, flexWrap: "wrap", marginBottom: 12 }}>
      {slots.map((f) => {
        const outcome = slotOutcome(f);
        const label = outcome === "skipped" ? t.schedules.fires.skipped : outcome === "missing" ? "—" : t.status[outcome];
        const square = <span data-testid="slot" data-outcome={outcome} style={squareStyle(outcome)} />;
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
