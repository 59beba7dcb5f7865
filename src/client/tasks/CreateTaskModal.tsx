"use client";
/**
 * 新建任务: pick a type, write its payload as JSON (checked in the browser against the type's
 * JSON Schema, turned back into a zod schema), set priority, delay, timeout and retries.
 * On success the message links to the task's progress and log. Given a task (复制为新任务), it
 * opens filled with that task's type, payload, queue, priority, timeout and attempts, and the
 * new task records it as `cloned_from`.
 */
import { useMemo, useState } from "react";
import { Col, Form, Input, InputNumber, Modal, Row, Select, Typography } from "antd";
import type { TaskJson } from "@/contracts/tasks";
import { useT } from "../i18n";
import { useFeedback } from "../feedback";
import { useTaskTypeOptions, useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useTaskActions } from "../hooks/useTasks";
import { examplePayload, PayloadField } from "./PayloadField";
import { ParamsFields, paramDefaults, paramsPayload } from "./ParamsFields";

interface Values {
  type: string;
  payload: string;
  queue?: string;
  /** A script type's params (ParamsFields). */
  params?: Record<string, unknown>;
  priority: number;
  delay_s?: number;
  timeout_s?: number;
  max_attempts?: number;
  idempotency_key?: string;
}

/** The form's values copied from task `source` (复制为新任务). */
function cloneValues(source: TaskJson): Partial<Values> {
  return {
    type: source.type,
    payload: JSON.stringify(source.payload ?? {}, null, 2),
    queue: source.queue,
    priority: source.priority,
    timeout_s: source.timeout_ms / 1000,
    max_attempts: source.max_attempts,
  };
}

export function CreateTaskModal({ open, onClose, source }: { open: boolean; onClose: () => void; source?: TaskJson }) {
  const t = useT();
  const feedback = useFeedback();
  const types = useTaskTypesQuery();
  const typeOptions = useTaskTypeOptions();
  const { create } = useTaskActions();
  const [form] = Form.useForm<Values>();
  const [typeName, setTypeName] = useState<string | undefined>(source?.type);
  const byName = useMemo(() => new Map((types.data?.items ?? []).map((x) => [x.name, x])), [types.data]);
  const type = typeName ? byName.get(typeName) : undefined;
  // The queues the catalogue's types use (POST /api/tasks accepts only these).
  const queueOptions = useMemo(
    () => [...new Set((types.data?.items ?? []).map((x) => x.queue))].sort().map((q) => ({ value: q, label: q })),
    [types.data],
  );

  const submit = async (v: Values) => {
    try {
      const res = await create.mutateAsync({
        type: v.type,
        payload: type?.script ? paramsPayload(type.script.params, v.params) : JSON.parse(v.payload || "{}"),
        priority: v.priority,
        ...(v.queue ? { queue: v.queue } : {}),
        ...(source ? { cloned_from: source.id } : {}),
        ...(v.delay_s ? { delay_ms: Math.round(v.delay_s * 1000) } : {}),
        ...(v.timeout_s ? { timeout_ms: Math.round(v.timeout_s * 1000) } : {}),
        ...(v.max_attempts ? { max_attempts: v.max_attempts } : {}),
        ...(v.idempotency_key ? { idempotency_key: v.idempotency_key } : {}),
      });
      feedback.enqueued(t.create.created(res.task.id), `/tasks/${res.task.id}`);
      onClose();
      form.resetFields();
      setTypeName(undefined);
    } catch (err) {
      feedback.failed(err);
    }
  };

  return (
    <Modal
      title={source ? t.create.cloneTitle(source.id) : t.create.title}
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t.common.create}
      cancelText={t.common.cancel}
      confirmLoading={create.isPending}
      width={640}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={source ? cloneValues(source) : { priority: 500, payload: "{}" }}
        onFinish={(v) => void submit(v)}
      >
        <Form.Item label={t.create.type} name="type" rules={[{ required: true, message: t.create.typeRequired }]}>
          <Select
            showSearch
            optionFilterProp="label"
            options={typeOptions}
            onChange={(name: string) => {
              setTypeName(name);
              const def = byName.get(name);
              if (def)
                form.setFieldsValue({
                  payload: JSON.stringify(examplePayload(def.payload_schema), null, 2),
                  params: def.script ? paramDefaults(def.script.params) : undefined,
                  priority: def.priority,
                  queue: undefined,
                });
            }}
          />
        </Form.Item>
        {type?.description && <Typography.Paragraph type="secondary">{type.description}</Typography.Paragraph>}
        {type?.script ? (
          <>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t.create.scriptRuns} <Typography.Text code>{type.script.command.join(" ")}</Typography.Text>
            </Typography.Paragraph>
            <ParamsFields params={type.script.params} />
          </>
        ) : (
          <PayloadField type={type} rows={6} />
        )}
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item label={t.create.queue} name="queue">
              <Select allowClear placeholder={type?.queue} options={queueOptions} data-testid="create-queue" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t.create.priority} name="priority">
              <InputNumber min={100} max={900} step={100} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t.create.delay} name="delay_s">
              <InputNumber min={0} max={366 * 86400} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t.create.timeout} name="timeout_s">
              <InputNumber min={1} max={7 * 86400} placeholder={type ? String(type.timeout_ms / 1000) : undefined} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t.create.maxAttempts} name="max_attempts">
              <InputNumber min={1} max={100} placeholder={type ? String(type.max_attempts) : undefined} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t.create.idempotencyKey} name="idempotency_key">
              <Input maxLength={200} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
