"use client";
/**
 * A batch rolled up on /tasks (filtering by a batch): progress with ETA, counts by status,
 * retrying its failed tasks in place, and 重跑 — a new batch of copies (all, or only the failed
 * and cancelled ones), optionally with changed payload fields (a backtest batch with another window).
 */
import { useState } from "react";
import { App, Button, Card, Form, Input, Modal, Progress, Radio, Space, Statistic, Typography } from "antd";
import type { TaskJson } from "@/contracts/tasks";
import { ApiError } from "../api";
import { formatDuration } from "../format";
import { useFeedback } from "../feedback";
import { useBatchQuery, useRerunBatch, useRetryFailed } from "../hooks/useBatches";
import { checkPayload } from "./PayloadField";
import { useI18n } from "../i18n";
import { useCan } from "../me";

const STATUSES: TaskJson["status"][] = ["queued", "running", "succeeded", "failed", "cancelled"];

/** 重跑: which tasks, and the payload fields to change (a JSON object merged into each payload). */
function RerunModal({ batchId, onClose }: { batchId: string; onClose: () => void }) {
  const { t } = useI18n();
  const fb = useFeedback();
  const rerun = useRerunBatch();
  const [form] = Form.useForm<{ only_failed: boolean; changes: string }>();
  const submit = async () => {
    const v = await form.validateFields();
    try {
      const r = await rerun.mutateAsync({ batchId, only_failed: v.only_failed, payload_changes: JSON.parse(v.changes || "{}") });
      fb.enqueued(t.tasks.batch.rerunDone(r.task_ids.length, r.batch_id), `/tasks?batch_id=${encodeURIComponent(r.batch_id)}`);
      onClose();
    } catch (err) {
      fb.failed(err);
    }
  };
  return (
    <Modal
      open
      title={t.tasks.batch.rerunTitle(batchId)}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={rerun.isPending}
      okText={t.tasks.batch.rerunOk}
    >
      <Form form={form} layout="vertical" initialValues={{ only_failed: true, changes: "{}" }}>
        <Form.Item name="only_failed" label={t.tasks.batch.rerunWhich}>
          <Radio.Group
            options={[
              { value: true, label: t.tasks.batch.rerunFailed },
              { value: false, label: t.tasks.batch.rerunAll },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="changes"
          label={t.tasks.batch.rerunChanges}
          extra={t.tasks.batch.rerunChangesHelp}
          rules={[
            {
              validator: async (_, v: string) => {
                const problem = checkPayload(v || "{}", undefined, t);
                if (problem) throw new Error(problem);
              },
            },
          ]}
        >
          <Input.TextArea rows={4} style={{ fontFamily: "monospace" }} data-testid="rerun-changes" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The card of batch `batchId` (nothing while it loads or when there is no such batch). */
export function BatchCard({ batchId }: { batchId: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const canOperate = useCan("operator");
  const batch = useBatchQuery(batchId);
  const retryFailed = useRetryFailed();
  const [rerunning, setRerunning] = useState(false);
  return (
    <>
      {batchId && batch.data && (
        <Card
          size="small"
          title={t.tasks.batch.title(batchId)}
          extra={
            canOperate && (
              <Space size={6}>
                <Button size="small" onClick={() => setRerunning(true)} data-testid="batch-rerun">
                  {t.tasks.batch.rerun}
                </Button>
                {batch.data.counts.failed + batch.data.counts.cancelled > 0 && (
                  <Button
                    size="small"
                    onClick={async () => {
                      try {
                        const r = await retryFailed.mutateAsync(batchId);
                        message.success(t.tasks.batch.retried(r.retried));
                      } catch (err) {
                        message.error(err instanceof ApiError ? err.message : t.common.failed);
                      }
                    }}
                  >
                    {t.tasks.batch.retryFailed}
                  </Button>
                )}
              </Space>
            )
          }
        >
          <Space size="large" wrap>
            <div style={{ width: 260 }}>
              <Typography.Text type="secondary">{t.tasks.batch.progress}</Typography.Text>
              <Progress percent={batch.data.progress} />
              {batch.data.eta_seconds !== null && (
                <Typography.Text type="secondary">{t.tasks.eta(formatDuration(batch.data.eta_seconds * 1000))}</Typography.Text>
              )}
            </div>
            {STATUSES.map((s) => (
              <Statistic key={s} title={t.status[s]} value={batch.data.counts[s] ?? 0} />
            ))}
          </Space>
        </Card>
      )}
      {rerunning && <RerunModal batchId={batchId} onClose={() => setRerunning(false)} />}
    </>
  );
}
