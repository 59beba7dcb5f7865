"use client";
/**
 * The schedule form's preview of the next fire times, in the viewer's zone and in the
 * schedule's: faded while the asked timing lags the typed one, the server's reason when the
 * timing cannot work, a hint while it is not filled in enough to ask.
 */
import { Typography } from "antd";
import type { ScheduleTiming, useSchedulePreview } from "../hooks/useSchedules";
import { useI18n } from "../i18n";
import { DEFAULT_ZONE } from "./formModel";
import { formatInZone, localZone } from "./format";
import { THEME_VARS } from "../theme";

/** `timing`: what the form describes (null: not enough yet); `preview`: its query; `error`: why it cannot work. */
export function FireTimesPreview({
  timing,
  preview,
  error: previewError,
}: {
  timing: ScheduleTiming | null;
  preview: ReturnType<typeof useSchedulePreview>;
  error: string | null;
}) {
  const { t, lang } = useI18n();
  const asked = preview.timing;
  const runs = preview.data?.next_runs;
  const viewerZone = localZone();
  return (
    <div
      data-testid="schedule-preview"
      style={{ background: THEME_VARS.fill, border: `1px solid ${THEME_VARS.border}`, borderRadius: 6, padding: "8px 12px", marginBottom: 16 }}
    >
      <Typography.Text strong>{t.schedules.form.preview}</Typography.Text>
      {!timing ? (
        <div>
          <Typography.Text type="secondary">{t.schedules.form.previewIncomplete}</Typography.Text>
        </div>
      ) : previewError ? (
        <div>
          <Typography.Text type="danger">{previewError}</Typography.Text>
        </div>
      ) : runs && asked ? (
        runs.length === 0 ? (
          <div>
            <Typography.Text type="secondary">{t.schedules.form.previewNone}</Typography.Text>
          </div>
        ) : (
          <table style={{ width: "100%", marginTop: 4, opacity: preview.settling || preview.isPlaceholderData || preview.isFetching ? 0.5 : 1 }}>
            <thead>
              <tr>
                <th style={{ textAlign: "left", fontWeight: "normal", color: THEME_VARS.textSecondary }}>
                  {t.schedules.form.localTime} ({viewerZone})
                </th>
                <th style={{ textAlign: "left", fontWeight: "normal", color: THEME_VARS.textSecondary }}>
                  {t.schedules.form.zoneTime(asked.timezone ?? DEFAULT_ZONE)}
                </th>
              </tr>
            </thead>
            <tbody data-testid="schedule-preview-runs">
              {runs.map((iso) => (
                <tr key={iso} data-testid="preview-run">
                  <td>{formatInZone(iso, lang, viewerZone)}</td>
                  <td>{formatInZone(iso, lang, asked.timezone ?? DEFAULT_ZONE)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : (
        <div>
          <Typography.Text type="secondary">{t.schedules.form.previewLoading}</Typography.Text>
        </div>
      )}
    </div>
  );
}
