"use client";
/** Status colours that mean the same everywhere: grey waiting, blue running, green done, red failed, orange stopped. */
import { Tag } from "antd";
import type { RunJson, TaskJson } from "@/contracts/tasks";
import { useT } from "../i18n";

export const TASK_STATUS_COLOR: Record<TaskJson["status"], string> = {
  queued: "default",
  running: "processing",
  succeeded: "success",
  failed: "error",
  cancelled: "warning",
};

/** The same meanings as solid colours, for shapes that are not tags (a flow's steps, a schedule's slot grid). */
export const TASK_STATUS_SWATCH: Record<TaskJson["status"], string> = {
  queued: "#bfbfbf",
  running: "#1677ff",
  succeeded: "#52c41a",
  failed: "#ff4d4f",
  cancelled: "#fa8c16",
};

const RUN_STATUS_COLOR: Record<RunJson["status"], string> = {
  running: "processing",
  succeeded: "success",
  failed: "error",
  timed_out: "error",
  lost: "magenta",
  cancelled: "warning",
  requeued: "default",
};

export function TaskStatusTag({ status }: { status: TaskJson["status"] }) {
  const t = useT();
  return (
    <Tag color={TASK_STATUS_COLOR[status]} data-testid="task-status" style={{ marginInlineEnd: 0 }}>
      {t.status[status]}
    </Tag>
  );
}

export function RunStatusTag({ status }: { status: RunJson["status"] }) {
  const t = useT();
  return (
    <Tag color={RUN_STATUS_COLOR[status]} style={{ marginInlineEnd: 0 }}>
      {t.runStatus[status]}
    </Tag>
  );
}
