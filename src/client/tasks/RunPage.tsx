"use client";
/**
 * /tasks/runs/{run_id}: one run of a task — status, attempts (switch between runs), progress
 * with pace and ETA, payload, result, error with stack, result rows and the log. A deep link:
 * the URL alone is enough to come back here.
 */
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Alert, App, Breadcrumb, Button, Card, Col, Descriptions, Popconfirm, Progress, Result, Row, Segmented, Space, Spin, Typography } from "antd";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { ApiError } from "../api";
import { etaSeconds, formatDuration, formatTime, prettyJson } from "../format";
import { useRunQuery } from "../hooks/useRuns";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useTaskActions } from "../hooks/useTasks";
import { CreateTaskModal } from "./CreateTaskModal";
import { GroupFlow } from "./GroupFlow";
import { LogViewer } from "./LogViewer";
import { RunInfoCard } from "./RunInfoCard";
import { ResultsTable } from "./ResultsTable";
import { TaskTable } from "./TaskTable";
import { RunStatusTag, TaskStatusTag } from "./StatusTag";
import { THEME_VARS } from "../theme";
import { jsonBlock } from "./jsonBlock";
import { ResultSummary } from "./ResultSummary";

export function RunPage({ runId }: { runId: string }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const router = useRouter();
  const canOperate = useCan("operator");
  const detail = useRunQuery(runId);
  const types = useTaskTypesQuery();
  const actions = useTaskActions();
  const [cloning, setCloning] = useState(false);

  if (detail.isLoading) return <Spin style={{ display: "block", margin: 80 }} />;
  if (detail.error || !detail.data) {
    return (
      <Result
        status={detail.error instanceof ApiError && detail.error.status === 404 ? "404" : "error"}
        title={detail.error instanceof ApiError && detail.error.status === 404 ? t.run.notFound : t.common.failed}
        extra={<Link href="/tasks">{t.nav.tasks}</Link>}
      />
    );
  }
  const { run, task, runs } = detail.data;
  const typeDef = types.data?.items.find((x) => x.name === task.type);
  const title = typeDef?.title ?? task.type;
  const isLatest = task.run_id === run.id;
  const live = run.status === "running";
  const progress = isLatest ? task.progress : run.status === "succeeded" ? 100 : 0;
  const eta = live ? etaSeconds(task.progress, run.started_at) : null;
  const elapsedMin = (new Date(run.finished_at ?? Date.now()).getTime() - new Date(run.started_at).getTime()) / 60_000;

  const act = async (p: Promise<unknown>, ok: string) => {
    try {
      await p;
      message.success(ok);
    } catch (err) {
      message.error(err instanceof ApiError ? err.message : t.common.failed);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Breadcrumb items={[{ title: <Link href="/tasks">{t.nav.tasks}</Link> }, { title: t.run.task(task.id) }, { title: t.run.run(run.id) }]} />
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", flexWrap: "wrap", gap: 12 }}>
        <Space align="center" wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
          <Typography.Text type="secondary">{task.type}</Typography.Text>
          <TaskStatusTag status={task.status} />
        </Space>
        {canOperate && (
          <Space>
            <Button onClick={() => setCloning(true)} data-testid="clone-task">
              {t.run.clone}
            </Button>
            {(task.status === "queued" || task.status === "running") && (
              <Button
                danger
                disabled={task.cancel_requested}
                onClick={() => void act(actions.cancel.mutateAsync(task.id), task.status === "queued" ? t.tasks.cancelled : t.tasks.cancelRequested)}
              >
                {t.common.cancel}
              </Button>
            )}
            {(task.status === "failed" || task.status === "cancelled") && (
              <Button
                type="primary"
                onClick={() =>
                  void act(
                    actions.retry.mutateAsync(task.id).then(() => router.push(`/tasks/${task.id}`)),
                    t.tasks.retried,
                  )
                }
              >
                {t.common.retry}
              </Button>
            )}
            {(task.status === "succeeded" || task.status === "failed" || task.status === "cancelled") && (
              <Popconfirm
                title={t.tasks.confirmDelete}
                onConfirm={() =>
                  void act(
                    actions.remove.mutateAsync(task.id).then(() => router.push("/tasks")),
                    t.tasks.deleted,
                  )
                }
              >
                <Button danger>{t.common.delete}</Button>
              </Popconfirm>
            )}
          </Space>
        )}
      </div>

      {!isLatest && task.run_id && (
        <Alert type="info" showIcon message={t.run.newerRun} action={<Link href={`/tasks/runs/${task.run_id}`}>{t.run.openLatest}</Link>} />
      )}

      {runs.length > 1 && (
        <Space>
          <Typography.Text type="secondary">{t.run.attempts}</Typography.Text>
          <Segmented
            value={run.id}
            onChange={(id) => router.push(`/tasks/runs/${id}`)}
            options={runs.map((r) => ({
              value: r.id,
              label: (
                <span data-testid={`attempt-${r.attempt}`}>
                  {t.run.attempt(r.attempt)} · {t.runStatus[r.status]}
                </span>
              ),
            }))}
          />
        </Space>
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card
            size="small"
            title={
              <Space>
                {t.run.run(run.id)} <RunStatusTag status={run.status} />
              </Space>
            }
          >
            <Descriptions size="small" column={2}>
              <Descriptions.Item label={t.tasks.col.id}>#{task.id}</Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.queue}>{task.queue}</Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.attempts}>
                {run.attempt} / {task.max_attempts}
              </Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.priority}>{task.priority}</Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.started}>{formatTime(run.started_at, lang)}</Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.finished}>{formatTime(run.finished_at, lang)}</Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.duration}>
                {formatDuration(run.duration_ms ?? (live ? Date.now() - new Date(run.started_at).getTime() : null))}
              </Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.worker}>{run.worker_id ?? "—"}</Descriptions.Item>
              <Descriptions.Item label={t.tasks.col.created}>{formatTime(task.created_at, lang)}</Descriptions.Item>
              {task.cloned_from && (
                <Descriptions.Item label={t.run.clonedFrom}>
                  <Link href={`/tasks/${task.cloned_from}`} data-testid="cloned-from">
                    #{task.cloned_from}
                  </Link>
                </Descriptions.Item>
              )}
              {task.parent_id && (
                <Descriptions.Item label={t.run.parent}>
                  <Link href={`/tasks/${task.parent_id}`}>#{task.parent_id}</Link>
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t.run.batch}>
                {task.batch_id ? <Link href={`/tasks?batch_id=${encodeURIComponent(task.batch_id)}`}>{task.batch_id}</Link> : "—"}
              </Descriptions.Item>
            </Descriptions>
            <div style={{ marginTop: 8 }}>
              <Typography.Text type="secondary">{t.run.progress}</Typography.Text>
              <Progress
                percent={progress}
                status={
                  run.status === "running"
                    ? "active"
                    : run.status === "succeeded"
                      ? "success"
                      : run.status === "failed" || run.status === "timed_out"
                        ? "exception"
                        : "normal"
                }
              />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {[
                  isLatest ? task.progress_message : null,
                  live && elapsedMin > 0 ? t.run.rate((task.progress / elapsedMin).toFixed(1)) : null,
                  eta !== null ? t.tasks.eta(formatDuration(eta * 1000)) : null,
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </Typography.Text>
            </div>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card size="small" title={t.run.payload}>
            <pre style={jsonBlock}>{prettyJson(task.payload)}</pre>
          </Card>
          {isLatest && task.result !== null && <ResultSummary result={task.result} view={typeDef?.result_view} />}
        </Col>
      </Row>

      <RunInfoCard info={run.info} />

      {run.error && (
        <Card size="small" title={<Typography.Text type="danger">{t.run.error}</Typography.Text>}>
          {/* The stack comes only to operators and admins; a viewer sees the message. */}
          <pre style={{ ...jsonBlock, background: THEME_VARS.errorBg, color: THEME_VARS.errorText }} data-testid="run-error">
            {run.error_stack ?? run.error}
          </pre>
        </Card>
      )}

      {task.type === "group" && (
        <Card size="small" title={t.run.children}>
          <GroupFlow task={task} />
          <TaskTable filters={{ parent_id: task.id }} />
        </Card>
      )}

      <ResultsTable taskId={task.id} live={live} status={task.status} view={typeDef?.result_view} />

      <Card size="small" title={t.run.logs}>
        <LogViewer key={run.id} runId={run.id} live={live} script={!!typeDef?.script} />
      </Card>
      {cloning && <CreateTaskModal open source={task} onClose={() => setCloning(false)} />}
    </Space>
  );
}
