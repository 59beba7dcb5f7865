"use client";
/**
 * A group's children drawn as its flow: a chain of steps for a sequence (left to right, each
 * starting when the one before succeeded), a fan for a parallel group (the parent, then every
 * child side by side in one column). Each step shows its type, status (colour) and duration,
 * and links to its task; steps the group has not enqueued yet (later steps of a sequence) show
 * as waiting.
 */
import Link from "next/link";
import { Typography } from "antd";
import type { TaskJson } from "@/contracts/tasks";
import { formatDuration } from "../format";
import { useTaskListQuery } from "../hooks/useTasks";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useI18n } from "../i18n";
import { THEME_VARS } from "../theme";
import { TASK_STATUS_SWATCH, TaskStatusTag } from "./StatusTag";

interface Step {
  index: number;
  type: string;
  child: TaskJson | null;
}

/** How long a child ran (so far, while it runs), or null before it started. */
function durationOf(c: TaskJson): number | null {
  if (!c.started_at) return null;
  return new Date(c.finished_at ?? Date.now()).getTime() - new Date(c.started_at).getTime();
}

function StepNode({ step, title }: { step: Step; title: string }) {
  const { t } = useI18n();
  const c = step.child;
  const d = c ? durationOf(c) : null;
  const box = (
    <div
      data-testid="flow-step"
      data-status={c?.status ?? "waiting"}
      style={{
        minWidth: 150,
        padding: "6px 10px",
        borderRadius: 6,
        border: `1px solid ${THEME_VARS.border}`,
        borderInlineStart: `4px solid ${c ? TASK_STATUS_SWATCH[c.status] : THEME_VARS.border}`,
        background: THEME_VARS.fill,
      }}
    >
      <div style={{ fontSize: 12 }}>
        <Typography.Text type="secondary">{step.index + 1}. </Typography.Text>
        <Typography.Text strong>{title}</Typography.Text>
      </div>
      <div style={{ marginTop: 4, display: "flex", gap: 6, alignItems: "center", fontSize: 12 }}>
        {c ? <TaskStatusTag status={c.status} /> : <Typography.Text type="secondary">{t.run.flowWaiting}</Typography.Text>}
        {d !== null && <Typography.Text type="secondary">{formatDuration(d)}</Typography.Text>}
      </div>
    </div>
  );
  return c ? (
    <Link href={`/tasks/${c.id}`} style={{ color: "inherit" }}>
      {box}
    </Link>
  ) : (
    box
  );
}

/** The flow of group task `task` (its payload's steps matched with its children in order). */
export function GroupFlow({ task }: { task: TaskJson }) {
  const { t } = useI18n();
  const types = useTaskTypesQuery();
  const list = useTaskListQuery({ parent_id: task.id }, null, 200);
  const payload = (task.payload ?? {}) as { mode?: "sequence" | "parallel"; tasks?: { type: string }[] };
  const children = [...(list.data?.items ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  const steps: Step[] = (payload.tasks ?? []).map((p, index) => ({ index, type: p.type, child: children[index] ?? null }));
  const titleOf = (type: string) => types.data?.items.find((x) => x.name === type)?.title ?? type;
  if (steps.length === 0) return null;
  if (payload.mode === "parallel") {
    return (
      <div
        data-testid="group-flow"
        data-mode="parallel"
        style={{ display: "flex", alignItems: "center", gap: 16, overflowX: "auto", paddingBottom: 8 }}
      >
        <Typography.Text strong style={{ whiteSpace: "nowrap" }}>
          {t.run.flowParallel(steps.length)}
        </Typography.Text>
        <div
          style={{ display: "flex", flexDirection: "column", gap: 6, borderInlineStart: `2px solid ${THEME_VARS.border}`, paddingInlineStart: 12 }}
        >
          {steps.map((s) => (
            <StepNode key={s.index} step={s} title={titleOf(s.type)} />
          ))}
        </div>
      </div>
    );
  }
  return (
    <div data-testid="group-flow" data-mode="sequence" style={{ display: "flex", alignItems: "center", gap: 8, overflowX: "auto", paddingBottom: 8 }}>
      {steps.map((s) => (
        <div key={s.index} style={{ display: "flex", alignItems: "center", gap: 8 }}>
          {s.index > 0 && <Typography.Text type="secondary">→</Typography.Text>}
          <StepNode step={s} title={titleOf(s.type)} />
        </div>
      ))}
    </div>
  );
}
