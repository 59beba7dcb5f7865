"use client";
/** The header's small "live / polling" dot: whether this page is updated by server push or by polling. */
import { Badge, Tooltip, Typography } from "antd";
import { useI18n } from "../i18n";
import { useLiveStatus } from "./LiveProvider";

const COLOR = { live: "success", polling: "default", connecting: "processing" } as const;

export function LiveIndicator() {
  const { t } = useI18n();
  const status = useLiveStatus();
  return (
    <Tooltip title={t.live.hints[status]}>
      <span data-testid="live-indicator" data-status={status}>
        <Badge status={COLOR[status]} />
        <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 4 }}>
          {t.live[status]}
        </Typography.Text>
      </span>
    </Tooltip>
  );
}
