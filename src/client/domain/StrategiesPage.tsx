"use client";
/**
 * /strategies (策略): the screening strategies, each with a form for its declared parameters
 * (last values remembered per user); 执行 runs one over all funds as a task with exactly those
 * parameters, whose staged progress and parameters are shown here and whose matches page
 * through the task's result rows. Below, the history of past screens (ResearchHistory).
 */
import { useMemo, useState } from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Button, Card, Col, Descriptions, Empty, Form, Progress, Row, Space, Typography } from "antd";
import type { StrategyJson } from "@/contracts/strategies";
import { optionalParamsSchema } from "@/contracts/researchParams";
import { givenParams, ParamFields, paramErrors, useLastParams } from "./ParamForm";
import { ScreenHistory } from "./ResearchHistory";
import { ScreenCompare } from "./ScreenCompare";
import { comparedIds } from "./SideBySide";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { useExecuteStrategy, useStrategiesQuery } from "../hooks/useStrategies";
import { useTaskQuery } from "../hooks/useTasks";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { ResultsTable } from "../tasks/ResultsTable";
import { TaskStatusTag } from "../tasks/StatusTag";
import { ProvenanceCard, type Provenance } from "../tasks/ProvenanceCard";

function TaskProgress({ taskId, strategies }: { taskId: string; strategies: StrategyJson[] }) {
  const { t } = useI18n();
  const q = useTaskQuery(taskId, { untilFinished: true });
  const types = useTaskTypesQuery();
  const task = q.data?.task;
  if (!task) return null;
  const live = task.status === "queued" || task.status === "running";
  const payload = (task.payload ?? {}) as { strategy?: string; params?: Record<string, number> };
  const def = strategies.find((x) => x.id === payload.strategy);
  const used = { ...(def?.params ?? {}), ...(payload.params ?? {}) };
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
        <Descriptions
          size="small"
          column={{ xs: 2, md: 4 }}
          title={`${def?.name ?? payload.strategy ?? ""} · ${t.strategies.usedParams}`}
          data-testid="used-params"
        >
          {Object.entries(used).map(([k, v]) => (
            <Descriptions.Item key={k} label={k}>
              <span style={{ fontWeight: payload.params && k in payload.params ? 600 : undefined }}>{v}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Card>
      <ResultsTable
        taskId={task.id}
        live={live}
        status={task.status}
        view={types.data?.items.find((x) => x.name === task.type)?.result_view}
        initialSort="rank"
        title={t.strategies.matches}
      />
      {(task.result as { provenance?: Provenance } | null)?.provenance && (
        <ProvenanceCard p={(task.result as { provenance: Provenance }).provenance} />
      )}
    </Space>
  );
}

/** One strategy: its description, a form for its parameters and 执行. */
export function StrategyCard({
  s,
  selected,
  running,
  onRun,
}: {
  s: StrategyJson;
  selected: boolean;
  running: boolean;
  onRun: (params: Record<string, number>) => void;
}) {
  const { t } = useI18n();
  const canOperate = useCan("operator");
  const [last, remember] = useLastParams(`screen:${s.id}`);
  const [values, setValues] = useState<Record<string, number | undefined>>(last);
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The server's schema, built from the same declarations.
  const check = useMemo(() => optionalParamsSchema({ specs: s.param_specs, order: s.param_order }), [s]);
  const run = () => {
    const given = givenParams(values);
    const errs = paramErrors(check, given);
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    remember(given);
    onRun(given);
  };
  return (
    <Card
      size="small"
      title={s.name}
      style={{ height: "100%", borderColor: selected ? "#1f6feb" : undefined }}
      extra={
        canOperate && (
          <Button type="primary" size="small" loading={running} onClick={run} data-testid={`run-${s.id}`}>
            {t.strategies.execute}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary" style={{ minHeight: 44 }}>
        {t.strategies.descriptions[s.id] ?? s.description}
      </Typography.Paragraph>
      <Form layout="vertical" size="small" data-testid={`params-${s.id}`}>
        <ParamFields
          specs={s.param_specs}
          values={values}
          errors={errors}
          disabled={!canOperate}
          span={12}
          onChange={(k, v) => {
            setValues((old) => ({ ...old, [k]: v }));
            setErrors((old) => {
              const { [k]: _gone, ...rest } = old;
              return rest;
            });
          }}
        />
      </Form>
    </Card>
  );
}

export function StrategiesPage() {
  const { t } = useI18n();
  const feedback = useFeedback();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const strategies = useStrategiesQuery();
  const execute = useExecuteStrategy();
  const taskId = params.get("task");
  const compareIds = comparedIds(params.get("compare"));
  const names = Object.fromEntries((strategies.data?.items ?? []).map((x) => [x.id, x.name]));

  const run = async (id: string, p: Record<string, number>) => {
    try {
      const res = await execute.mutateAsync({ id, params: p });
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
            <StrategyCard
              s={s}
              selected={params.get("strategy") === s.id}
              running={execute.isPending && execute.variables?.id === s.id}
              onRun={(p) => void run(s.id, p)}
            />
          </Col>
        ))}
      </Row>
      {compareIds.length >= 2 && <ScreenCompare ids={compareIds} strategies={names} onClose={() => router.replace(pathname)} />}
      {taskId ? (
        <TaskProgress taskId={taskId} strategies={strategies.data?.items ?? []} />
      ) : compareIds.length < 2 ? (
        <Empty description={t.strategies.pick} />
      ) : null}
      <ScreenHistory strategies={names} />
    </Space>
  );
}
