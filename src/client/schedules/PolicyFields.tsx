"use client";
/**
 * The schedule form's policies: what happens to slots missed while nothing ran (misfire), what a
 * slot does while the previous task is unfinished (overlap; not for once and supervised
 * schedules, where it does not apply), and whether the schedule is on.
 */
import { Col, Form, Radio, Row, Switch } from "antd";
import { useI18n } from "../i18n";
import type { Kind } from "./formModel";

/** The misfire and overlap radios and the enabled switch. */
export function PolicyFields({ kind }: { kind: Kind | undefined }) {
  const { t } = useI18n();
  const f = t.schedules.form;
  return (
    <>
      <Row gutter={12}>
        <Col span={16}>
          <Form.Item label={f.misfire} name="misfire_policy" extra={f.misfireHelp}>
            <Radio.Group
              options={[
                { value: "run_once", label: f.misfireRunOnce },
                { value: "skip", label: f.misfireSkip },
              ]}
            />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item label={f.enabled} name="enabled" valuePropName="checked">
            <Switch data-testid="schedule-enabled" />
          </Form.Item>
        </Col>
      </Row>
      {kind !== "once" && kind !== "supervised" && (
        <Form.Item label={f.overlap} name="overlap_policy" extra={f.overlapHelp}>
          <Radio.Group
            data-testid="schedule-overlap"
            options={[
              { value: "skip", label: f.overlapSkip },
              { value: "allow", label: f.overlapAllow },
              { value: "cancel_previous", label: f.overlapCancel },
            ]}
          />
        </Form.Item>
      )}
    </>
  );
}
