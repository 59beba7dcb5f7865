"use client";
/** /tasks/{task_id}: goes to the task's latest run, or waits for a worker to start one. */
import { useEffect } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { App, Breadcrumb, Button, Card, Descriptions, Result, Space, Spin } from "antd";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { ApiError } from "../api";
import { formatTime, prettyJson } from "../format";
import { useTaskActions, useTaskQuery } from "../hooks/useTasks";
import { TaskStatusTag } from "./StatusTag";

export function TaskWaitPage({ taskId }: { taskId: string }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const router = useRouter();
  const canOperate = useCan("operator");
  const q = useTaskQuery(taskId);
  const { cancel } = useTaskActions();
  // A retried task keeps its old runs: wait until a worker has started the new one.
  const latest = q.data && q.data.task.status !== "queued" ? q.data.runs[0]?.id : undefined;

  useEffect(() => {
    if (latest) router.replace(`/tasks/runs/${latest}`);
  }, [latest, router]);

  if (q.error)
    return (
      <Result
        status={q.error instanceof ApiError && q.error.status === 404 ? "404" : "error"}
        title={q.error.message}
        extra={<Link href="/tasks">{t.nav.tasks}</Link>}
      />
    );
  if (!q.data || latest) return <Spin style={{ display: "block", margin: 80 }} />;
  const task = q.data.task;
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Breadcrumb items={[{ title: <Link href="/tasks">{t.nav.tasks}</Link> }, { title: t.run.task(task.id) }]} />
      <Card>
        <Result
          icon={task.status === "queued" ? <Spin size="large" /> : undefined}
          status={task.status === "queued" ? "info" : "warning"}
          title={task.status === "queued" ? t.run.waiting : <TaskStatusTag status={task.status} />}
          extra={
            canOperate &&
            task.status === "queued" && (
              <Button
                danger
                onClick={async () => {
                  try {
                    await cancel.mutateAsync(task.id);
                    message.success(t.tasks.cancelled);
                  } catch (err) {
                    message.error(err instanceof ApiError ? err.message : t.common.failed);
                  }
                }}
              >
                {t.common.cancel}
              </Button>
            )
          }
        />
        <Descriptions size="small" column={2} bordered>
          <Descriptions.Item label={t.tasks.col.type}>{task.type}</Descriptions.Item>
          <Descriptions.Item label={t.tasks.col.queue}>{task.queue}</Descriptions.Item>
          <Descriptions.Item label={t.tasks.col.priority}>{task.priority}</Descriptions.Item>
          <Descriptions.Item label={t.tasks.col.runAt}>{formatTime(task.run_at, lang)}</Descriptions.Item>
          <Descriptions.Item label={t.run.payload} span={2}>
            <pre style={{ margin: 0, fontSize: 12 }}>{prettyJson(task.payload)}</pre>
          </Descriptions.Item>
        </Descriptions>
      </Card>
    </Space>
  );
}
