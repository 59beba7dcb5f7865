"use client";
/**
 * 全部匹配的任务…: cancel, retry or delete every task the table's filters match, not only the
 * rows on the page. Picking an action first asks the server how many tasks it would touch and
 * shows that count; confirming starts a bulk_action task, whose run page shows the progress.
 */
import { useState } from "react";
import { Button, Dropdown, Modal, Spin, Typography } from "antd";
import type { ResponseOf } from "@/contracts/endpoint";
import type { countBulkTasks } from "@/contracts/bulk";
import { useI18n } from "../i18n";
import { useFeedback } from "../feedback";
import { countForBulk, useTaskActions, type TaskFilters } from "../hooks/useTasks";

type Action = "cancel" | "retry" | "delete";

/** The 全部匹配的任务… menu and its confirmation, over `filters` (the table's). */
export function BulkByFilter({ filters }: { filters: TaskFilters }) {
  const { t } = useI18n();
  const feedback = useFeedback();
  const actions = useTaskActions();
  const [action, setAction] = useState<Action | null>(null);
  const [count, setCount] = useState<ResponseOf<typeof countBulkTasks> | null>(null);

  const pick = async (a: Action) => {
    setAction(a);
    setCount(null);
    try {
      setCount(await countForBulk(a, filters));
    } catch (err) {
      setAction(null);
      feedback.failed(err);
    }
  };
  const confirm = async () => {
    if (!action) return;
    try {
      const res = await actions.bulkByFilter.mutateAsync({ action, filters });
      feedback.enqueued(t.tasks.bulk.allStarted(res.eligible, res.task_id), `/tasks/${res.task_id}`);
      setAction(null);
    } catch (err) {
      feedback.failed(err);
    }
  };
  const verb = action ? t.tasks.bulk.verbs[action] : "";
  return (
    <>
      <Dropdown
        trigger={["click"]}
        menu={{
          items: [
            { key: "cancel", label: t.tasks.bulk.allTitle.cancel },
            { key: "retry", label: t.tasks.bulk.allTitle.retry },
            { key: "delete", label: t.tasks.bulk.allTitle.delete, danger: true },
          ],
          onClick: ({ key }) => void pick(key as Action),
        }}
      >
        <Button size="small" data-testid="bulk-all">
          {t.tasks.bulk.allMatching}
        </Button>
      </Dropdown>
      <Modal
        open={action !== null}
        title={action ? t.tasks.bulk.allTitle[action] : ""}
        onCancel={() => setAction(null)}
        onOk={() => void confirm()}
        okText={verb}
        okButtonProps={{ danger: action === "delete", disabled: !count || count.eligible === 0, loading: actions.bulkByFilter.isPending }}
        destroyOnHidden
      >
        {!count ? (
          <Spin />
        ) : (
          <div data-testid="bulk-all-count">
            <Typography.Paragraph strong>{t.tasks.bulk.allCount(count.matched, count.eligible, verb)}</Typography.Paragraph>
            <Typography.Paragraph type="secondary">{count.eligible > 0 ? t.tasks.bulk.allHow : t.tasks.bulk.allNone(verb)}</Typography.Paragraph>
          </div>
        )}
      </Modal>
    </>
  );
}
