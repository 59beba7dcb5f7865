"use client";
/**
 * /strategies (策略): the screening strategies; 执行 runs one over all funds as a task, whose
 * staged progress is shown here and whose matches page through the task's result rows.
 */
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Button, Card, Col, Descriptions, Empty, Progress, Row, Space, Typography } from "antd";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { useExecuteStrategy, useStrategiesQuery } from "../hooks/useStrategies";
import { useTaskQuery } from "../hooks/useTasks";
import { ResultsTable } from "../tasks/ResultsTable";
import { TaskStatusTag } from "../tasks/StatusTag";

function TaskProgress({ taskId }: { taskId: string }) {
  const { t } = useI18n();
  const q = useTaskQuery(taskId);
  const task = q.data?.task;
  if (!task) return null;
  const live = task.status === "queued" || task.status === "running";
  return (
    <Space direction="vertical" style={{ width: "100%" }} size="middle">
      <Card size="small">
        <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
          <Space>
            <TaskStatusTag status={task.status} />
            <Typography.Text type="secondary">{task.progress_message}</Typography.Text>
          </Space>
          <Link href={task.run_id ? `/tasks/runs/${task.run_id}` : `/tasks/${task.id}`}>{t.common.goToRun}</Link>
        </Space>
        <Progress percent={task.progress} status={task.status === "failed" ? "exception" : live ? "active" : undefined} />
      </Card>
      <ResultsTable taskId={task.id} live={live} status={task.status} initialSort="rank" title={t.strategies.matches} />
    </Space>
  );
}

export function StrategiesPage() {
  const { t } = useI18n();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const strategies = useStrategiesQuery();
  const execute = useExecuteStrategy();
  const taskId = params.get("task");

  const run = async (id: string) => {
    try {
      const res = await execute.mutateAsync({ id });
      router.replace(`${pathname}?strategy=${id}&task=${res.task_id}`, { scroll: false });
      feedback.enqueued(t.strategies.enqueued(res.task_id), `/tasks/${res.task_id}`);
    } catch (err) {
      feedback.failed(err);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Title level={4} style={{ margin: 0, whiteSpace: "nowrap" }}>
        {t.strategies.title}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        {(strategies.data?.items ?? []).map((s) => (
          <Col key={s.id} xs={24} md={12} xl={6}>
            <Card
              size="small"
              title={s.name}
              style={{ height: "100%", borderColor: params.get("strategy") === s.id ? "#1f6feb" : undefined }}
              extra={
                canOperate && (
                  <Button
                    type="primary"
                    size="small"
                    loading={execute.isPending && execute.variables?.id === s.id}
                    onClick={() => void run(s.id)}
                    data-testid={`run-${s.id}`}
                  >
                    {t.strategies.execute}
                  </Button>
                )
              }
            >
              <Typography.Paragraph type="secondary" style={{ minHeight: 44 }}>
                {t.strategies.descriptions[s.id] ?? s.description}
              </Typography.Paragraph>
              <Descriptions
                size="small"
                column={1}
                title={
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t.strategies.params}
                  </Typography.Text>
                }
              >
                {Object.entries(s.params).map(([k, v]) => (
                  <Descriptions.Item key={k} label={k}>
                    {v}
                  </Descriptions.Item>
                ))}
              </Descriptions>
            </Card>
          </Col>
        ))}
      </Row>
      {taskId ? <TaskProgress taskId={taskId} /> : <Empty description={t.strategies.pick} />}
    </Space>
  );
}
