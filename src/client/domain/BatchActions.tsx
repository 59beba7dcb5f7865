"use client";
/** The actions every backtest batch (sweep or not) has: cancel what is left of it, run it again over another window. */
import { useState } from "react";
import { Button, DatePicker, Modal, Popconfirm, Space, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { useFeedback } from "../feedback";
import { useCancelBatch, useRerunBatch } from "../hooks/useBacktests";

/** Cancel what is left of a batch, and run it again over another window (plain batches and sweeps alike). */
export function BatchActions({ batchId, unfinished, onRerun }: { batchId: string; unfinished: number; onRerun: (batchId: string) => void }) {
  const { t } = useI18n();
  const feedback = useFeedback();
  const canOperate = useCan("operator");
  const cancel = useCancelBatch();
  const rerun = useRerunBatch();
  const [open, setOpen] = useState(false);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  if (!canOperate) return null;
  return (
    <>
      {unfinished > 0 && (
        <Popconfirm
          title={t.sweeps.cancelConfirm}
          onConfirm={async () => {
            try {
              const r = await cancel.mutateAsync(batchId);
              feedback.ok(t.sweeps.cancelled(r.cancelled, r.cancel_requested));
            } catch (err) {
              feedback.failed(err);
            }
          }}
        >
          <Button size="small" danger loading={cancel.isPending} data-testid="batch-cancel">
            {t.sweeps.cancel}
          </Button>
        </Popconfirm>
      )}
      <Button size="small" onClick={() => setOpen(true)} data-testid="batch-rerun">
        {t.sweeps.rerun}
      </Button>
      <Modal
        open={open}
        title={t.sweeps.rerunTitle}
        confirmLoading={rerun.isPending}
        onCancel={() => setOpen(false)}
        onOk={async () => {
          try {
            const r = await rerun.mutateAsync({
              batchId,
              start: range ? range[0].format("YYYY-MM-DD") : null,
              end: range ? range[1].format("YYYY-MM-DD") : null,
            });
            setOpen(false);
            feedback.enqueued(t.sweeps.rerunOk(r.task_ids.length), `/tasks?batch_id=${encodeURIComponent(r.batch_id)}`);
            onRerun(r.batch_id);
          } catch (err) {
            feedback.failed(err);
          }
        }}
      >
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text type="secondary">{t.sweeps.rerunHint}</Typography.Text>
          <DatePicker.RangePicker style={{ width: "100%" }} value={range} onChange={(v) => setRange(v as [Dayjs, Dayjs] | null)} aria-label="rerun window" />
        </Space>
      </Modal>
    </>
  );
}
