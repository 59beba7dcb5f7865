"use client";
/**
 * The sweep form's fields on /backtests: one text field per strategy param taking a range
 * ("5..20 step 5"), a list ("40, 60, 120") or one value, and a preview of what the server will
 * make — combinations, skipped ones, tasks — computed with the server's own expansion
 * (contracts/sweeps.ts), so the count shown is the count enqueued.
 */
import { Col, Form, Input, Row, Typography } from "antd";
import type { ParamSpec } from "@/contracts/researchParams";
import { combinationCount, DEFAULT_SWEEP_MAX_TASKS, expandSweep, parseAxisText, type SweepAxis } from "@/contracts/sweeps";
import { useI18n } from "../i18n";
import { ParamLabel } from "./ParamForm";

/** The texts split into fixed params (one value) and swept ones (several); a message per unreadable field. */
export function sweepFromTexts(
  specs: readonly ParamSpec[],
  texts: Record<string, string | undefined>,
): { base: Record<string, number>; sweep: Record<string, SweepAxis>; errors: Record<string, string> } {
  const base: Record<string, number> = {};
  const sweep: Record<string, SweepAxis> = {};
  const errors: Record<string, string> = {};
  for (const s of specs) {
    const text = texts[s.key]?.trim();
    if (!text) continue;
    const axis = parseAxisText(text);
    if (typeof axis === "string") errors[s.key] = axis;
    else if (Array.isArray(axis) && axis.length === 1) base[s.key] = axis[0];
    else sweep[s.key] = axis;
  }
  return { base, sweep, errors };
}

/** One text field per param, laid out like ParamFields. */
export function SweepFields({
  specs,
  texts,
  errors,
  onChange,
}: {
  specs: readonly ParamSpec[];
  texts: Record<string, string | undefined>;
  errors: Record<string, string>;
  onChange: (key: string, text: string) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 6 }}>
        {t.sweeps.axisHint}
      </Typography.Paragraph>
      <Row gutter={8}>
        {specs.map((s) => (
          <Col key={s.key} xs={12} lg={6}>
            <Form.Item
              label={<ParamLabel spec={s} />}
              validateStatus={errors[s.key] ? "error" : undefined}
              help={errors[s.key]}
              style={{ marginBottom: 8 }}
            >
              <Input
                size="small"
                value={texts[s.key] ?? ""}
                placeholder={String(s.default)}
                aria-label={`sweep ${s.key}`}
                onChange={(e) => onChange(s.key, e.target.value)}
              />
            </Form.Item>
          </Col>
        ))}
      </Row>
    </>
  );
}

/** "12 combinations × 5 funds = 60 tasks", or why the sweep cannot be sent as it is. */
export function SweepPreview({ base, sweep, funds }: { base: Record<string, number>; sweep: Record<string, SweepAxis>; funds: number }) {
  const { t } = useI18n();
  if (Object.keys(sweep).length === 0) return <Typography.Text type="secondary">{t.sweeps.needAxis}</Typography.Text>;
  const count = combinationCount(sweep);
  const n = Math.max(funds, 1);
  // Count first: expanding 10^9 combinations to preview them would hang the page.
  if (count * n > DEFAULT_SWEEP_MAX_TASKS)
    return (
      <Typography.Text type="danger" data-testid="sweep-preview">
        {`${count} × ${n} = ${count * n} · ${t.sweeps.overLimit(DEFAULT_SWEEP_MAX_TASKS)}`}
      </Typography.Text>
    );
  const { combinations, skipped } = expandSweep(base, sweep);
  return (
    <Typography.Text type={combinations.length === 0 ? "danger" : undefined} data-testid="sweep-preview">
      {t.sweeps.preview(combinations.length, skipped.length, funds, combinations.length * funds)}
      {skipped.length > 0 && <Typography.Text type="secondary">{` — ${skipped[0].reason}`}</Typography.Text>}
    </Typography.Text>
  );
}
