"use client";
/**
 * The queue panel of /tasks: every queue with its counts, pause state (who, when), oldest due
 * task, workers and cluster-wide limits; 暂停/恢复 for operators, 限制 (a form) for admins.
 */
import Link from "next/link";
import { useState } from "react";
import { Button, Card, Form, InputNumber, Input, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { QueueJson } from "@/contracts/queues";
import { useFeedback } from "../feedback";
import { formatTime } from "../format";
import { useQueueMutations, useQueuesQuery } from "../hooks/useQueues";
import { useI18n } from "../i18n";
import { useCan } from "../me";

/** The limits of a queue as tags (or 无限制). */
function LimitTags({ q }: { q: QueueJson }) {
  const { t } = useI18n();
  const l = q.limits;
  const tags = [
    l.max_running !== null ? (
      <Tag key="m" color="blue">
        {t.queues.maxRunning(l.max_running)}
      </Tag>
    ) : null,
    l.rate ? (
      <Tag key="r" color="purple">
        {t.queues.rate(l.rate.limit, l.rate.per)}
      </Tag>
    ) : null,
    l.per_key ? (
      <Tag key="k" color="cyan">
        {t.queues.perKey(l.per_key.field, l.per_key.max_running)}
      </Tag>
    ) : null,
  ].filter(Boolean);
  return tags.length ? (
    <Space size={0} wrap>
      {tags}
    </Space>
  ) : (
    <Typography.Text type="secondary">{t.queues.noLimits}</Typography.Text>
  );
}

interface LimitsForm {
  max_running: number | null;
  rate_limit: number | null;
  rate_per: "second" | "minute";
  key_field: string;
  key_max: number | null;
}

/** The admin's form of a queue's limits. */
function LimitsModal({ q, onClose }: { q: QueueJson; onClose: () => void }) {
  const { t } = useI18n();
  const fb = useFeedback();
  const { setLimits } = useQueueMutations();
  const [form] = Form.useForm<LimitsForm>();
  const initial: LimitsForm = {
    max_running: q.limits.max_running,
    rate_limit: q.limits.rate?.limit ?? null,
    rate_per: q.limits.rate?.per ?? "second",
    key_field: q.limits.per_key?.field ?? "",
    key_max: q.limits.per_key?.max_running ?? null,
  };
  const save = async () => {
    const v = await form.validateFields();
    const body = {
      name: q.name,
      max_running: v.max_running ?? null,
      rate: v.rate_limit ? { limit: v.rate_limit, per: v.rate_per } : null,
      per_key: v.key_field.trim() && v.key_max ? { field: v.key_field.trim(), max_running: v.key_max } : null,
    };
    if (await fb.run(setLimits.mutateAsync(body), t.queues.saved)) onClose();
  };
  return (
    <Modal
      open
      title={t.queues.limitsTitle(q.name)}
      onOk={save}
      onCancel={onClose}
      confirmLoading={setLimits.isPending}
      okText={t.common.save}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t.queues.limitsHelp}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item label={t.queues.maxRunningLabel} name="max_running">
          <InputNumber min={1} max={100000} style={{ width: 200 }} data-testid="limit-max-running" />
        </Form.Item>
        <Form.Item label={t.queues.rateLabel}>
          <Space.Compact>
            <Form.Item name="rate_limit" noStyle>
              <InputNumber min={1} max={100000} style={{ width: 140 }} data-testid="limit-rate" />
            </Form.Item>
            <Form.Item name="rate_per" noStyle>
              <Select
                style={{ width: 110 }}
                options={[
                  { value: "second", label: t.queues.ratePerSecond },
                  { value: "minute", label: t.queues.ratePerMinute },
                ]}
              />
            </Form.Item>
          </Space.Compact>
        </Form.Item>
        <Space align="start" wrap>
          <Form.Item
            label={t.queues.perKeyField}
            name="key_field"
            extra={t.queues.perKeyHelp}
            rules={[{ pattern: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/, message: t.queues.perKeyFieldInvalid }]}
          >
            <Input style={{ width: 200 }} placeholder="fund_code" />
          </Form.Item>
          <Form.Item label={t.queues.perKeyMax} name="key_max">
            <InputNumber min={1} max={10000} style={{ width: 160 }} />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

/** The queue panel. */
export function QueuesCard() {
  const { t, lang } = useI18n();
  const fb = useFeedback();
  const canOperate = useCan("operator");
  const isAdmin = useCan("admin");
  const { data, isLoading } = useQueuesQuery();
  const { pause, resume } = useQueueMutations();
  const [editing, setEditing] = useState<QueueJson | null>(null);
  return (
    <Card size="small" title={t.queues.title} data-testid="queues-card">
      <Table<QueueJson>
        size="small"
        rowKey="name"
        loading={isLoading}
        pagination={false}
        dataSource={data?.items ?? []}
        scroll={{ x: 900 }}
        onRow={(q) => ({ "data-testid": `queue-row-${q.name}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t.queues.name,
            dataIndex: "name",
            render: (n: string) => (
              <Space size={6}>
                <Typography.Text strong>{n}</Typography.Text>
                <Link href={`/tasks/trends?queue=${encodeURIComponent(n)}`} style={{ fontSize: 12 }}>
                  {t.trends.link}
                </Link>
              </Space>
            ),
          },
          {
            title: t.queues.state,
            render: (_, q) =>
              q.paused ? (
                <Tooltip title={t.queues.pausedBy(q.paused_by ?? "?", formatTime(q.paused_at, lang))}>
                  <Tag color="orange" data-testid="queue-paused">
                    {t.queues.paused}
                  </Tag>
                </Tooltip>
              ) : (
                <Tag color="green">{t.queues.active}</Tag>
              ),
          },
          { title: t.queues.queued, align: "right", render: (_, q) => q.counts.queued },
          { title: t.queues.running, align: "right", render: (_, q) => q.counts.running },
          {
            title: t.queues.failed,
            align: "right",
            render: (_, q) => (q.counts.failed ? <Typography.Text type="danger">{q.counts.failed}</Typography.Text> : 0),
          },
          {
            title: t.queues.oldest,
            align: "right",
            render: (_, q) => (q.oldest_queued_age_s === null ? "—" : t.queues.seconds(q.oldest_queued_age_s)),
          },
          {
            title: t.queues.workers,
            align: "right",
            render: (_, q) =>
              q.workers.length === 0 ? (
                <Typography.Text type={q.counts.queued > 0 ? "warning" : "secondary"}>0</Typography.Text>
              ) : (
                <Tooltip title={q.workers.map((w) => `${w.id}${w.limit ? ` (≤${w.limit})` : ""}`).join("\n")}>{q.workers.length}</Tooltip>
              ),
          },
          { title: t.queues.limits, render: (_, q) => <LimitTags q={q} /> },
          ...(canOperate
            ? [
                {
                  title: t.common.actions,
                  key: "actions",
                  render: (_: unknown, q: QueueJson) => (
                    <Space size={4}>
                      {q.paused ? (
                        <Button size="small" type="primary" onClick={() => void fb.run(resume.mutateAsync(q.name), t.queues.resumedMsg(q.name))}>
                          {t.queues.resume}
                        </Button>
                      ) : (
                        <Popconfirm
                          title={t.queues.pauseConfirm(q.name)}
                          onConfirm={() => fb.run(pause.mutateAsync(q.name), t.queues.pausedMsg(q.name))}
                        >
                          <Button size="small" danger>
                            {t.queues.pause}
                          </Button>
                        </Popconfirm>
                      )}
                      {isAdmin && (
                        <Button size="small" onClick={() => setEditing(q)}>
                          {t.queues.editLimits}
                        </Button>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && <LimitsModal q={editing} onClose={() => setEditing(null)} />}
    </Card>
  );
}
