"use client";
/** A batch rolled up on /tasks (filtering by a batch): progress with ETA, counts by status, and retrying its failed tasks. */
import { App, Button, Card, Progress, Space, Statistic, Typography } from "antd";
import type { TaskJson } from "@/contracts/tasks";
import { ApiError } from "../api";
import { formatDuration } from "../format";
import { useBatchQuery, useRetryFailed } from "../hooks/useBatches";
import { useI18n } from "../i18n";
import { useCan } from "../me";

const STATUSES: TaskJson["status"][] = ["queued", "running", "succeeded", "failed", "cancelled"];

/** The card of batch `batchId` (nothing while it loads or when there is no such batch). */
export function BatchCard({ batchId }: { batchId: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const canOperate = useCan("operator");
  const batch = useBatchQuery(batchId);
  const retryFailed = useRetryFailed();
  return (
    <>
      {batchId && batch.data && (
        <Card
          size="small"
          title={t.tasks.batch.title(batchId)}
          extra={
            canOperate &&
            batch.data.counts.failed + batch.data.counts.cancelled > 0 && (
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
    </>
  );
}
