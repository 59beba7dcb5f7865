"use client";
/**
 * 新建/编辑定时任务: name, description, task type and payload (checked in the browser against the type's
 * schema, as in 新建任务), the timing (cron + time zone, a fixed interval, one moment, or N minutes
 * after the 15:00 Shanghai close on trading days),
 * trading days only, priority, timeout, attempts, the misfire and overlap policies and whether
 * it is on (PolicyFields).
 * As the timing changes the server is asked (debounced) for the next five fire times, shown in
 * the viewer's time and in the schedule's zone; a bad cron or zone shows its error under the
 * field, and saving re-checks the timing first so an invalid one is never sent.
 */
import { useMemo } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, AutoComplete, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Segmented, Select, Switch, Typography } from "antd";
import type { ScheduleJson } from "@/contracts/schedules";
import { ApiError } from "../api";
import { useI18n } from "../i18n";
import { useFeedback } from "../feedback";
import { useTaskTypeOptions, useTaskTypesQuery } from "../hooks/useTaskTypes";
import { schedulePreviewOptions, useScheduleActions, useSchedulePreview } from "../hooks/useSchedules";
import { checkPayload, examplePayload, PayloadField } from "../tasks/PayloadField";
import { allValues, createBody, DEFAULT_ZONE, errorField, initialValues, patchBody, timingOf, type Kind, type Values } from "./formModel";
import { PolicyFields } from "./PolicyFields";
import { FireTimesPreview } from "./FireTimesPreview";
import { COMMON_ZONES, localZone } from "./format";

/** Mount one per opening (a new `key`): the form starts from `schedule` (edit) or the defaults (new). */
export function ScheduleFormModal({ open, schedule, onClose }: { open: boolean; schedule?: ScheduleJson; onClose: () => void }) {
  const { t } = useI18n();
  const feedback = useFeedback();
  const qc = useQueryClient();
  const types = useTaskTypesQuery();
  const typeOptions = useTaskTypeOptions();
  const { create, patch } = useScheduleActions();
  const [form] = Form.useForm<Values>();
  const initial = useMemo(() => initialValues(schedule), [schedule]);
  const byName = useMemo(() => new Map((types.data?.items ?? []).map((x) => [x.name, x])), [types.data]);

  // Every value, hidden fields included (empty until the form is connected: the initial values then).
  const watched: Partial<Values> | undefined = Form.useWatch(allValues, { form, preserve: true });
  const values = watched && Object.keys(watched).length > 0 ? watched : initial;
  const typeName = values.task_type;
  const kind: Kind = values.kind ?? "cron";
  const type = typeName ? byName.get(typeName) : undefined;

  const timing = timingOf(values);
  const preview = useSchedulePreview(timing);
  const previewError =
    timing && !preview.settling && preview.isError ? (preview.error instanceof ApiError ? preview.error.message : t.common.failed) : null;
  const errorAt = previewError ? errorField(previewError, kind) : null;
  /** Status and help of a timing field: the preview's error when it belongs there. */
  const timingStatus = (field: NonNullable<typeof errorAt>) =>
    errorAt === field ? { validateStatus: "error" as const, help: <span data-testid="schedule-timing-error">{previewError}</span> } : {};

  const submit = async (v: Values) => {
    const tm = timingOf(v);
    if (!tm) return;
    // The live preview may lag the last keystroke: check the exact timing being saved.
    try {
      await qc.fetchQuery(schedulePreviewOptions(tm));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 400) feedback.failed(err);
      form.scrollToField(errorField(err instanceof Error ? err.message : "", v.kind));
      return;
    }
    try {
      if (schedule) {
        const body = patchBody(v, tm, schedule);
        if (Object.keys(body).length > 0) await patch.mutateAsync({ id: schedule.id, body });
        feedback.ok(t.schedules.saved);
      } else {
        const body = createBody(v, tm);
        await create.mutateAsync(body);
        feedback.ok(t.schedules.created(body.name));
      }
      onClose();
    } catch (err) {
      feedback.failed(err);
    }
  };

  const zoneOptions = [...new Set([DEFAULT_ZONE, localZone(), ...COMMON_ZONES])].map((z) => ({ value: z }));
  const timezoneField = (
    <Form.Item
      label={t.schedules.form.timezone}
      name="timezone"
      rules={[{ required: true, message: t.schedules.form.timezoneRequired }]}
      {...timingStatus("timezone")}
    >
      <AutoComplete
        options={zoneOptions}
        filterOption={(input, option) =>
          String(option?.value ?? "")
            .toLowerCase()
            .includes(input.trim().toLowerCase())
        }
        data-testid="schedule-timezone"
      />
    </Form.Item>
  );

  return (
    <Modal
      title={schedule ? t.schedules.editTitle : t.schedules.newSchedule}
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={schedule ? t.common.save : t.common.create}
      cancelText={t.common.cancel}
      confirmLoading={create.isPending || patch.isPending}
      width={760}
    >
      <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void submit(v)} data-testid="schedule-form">
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item
              label={t.schedules.form.name}
              name="name"
              rules={[{ required: true, whitespace: true, message: t.schedules.form.nameRequired }]}
            >
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item label={t.create.type} name="task_type" rules={[{ required: true, message: t.create.typeRequired }]}>
              <Select
                showSearch
                optionFilterProp="label"
                loading={types.isLoading}
                options={typeOptions}
                onChange={(name: string) => {
                  const def = byName.get(name);
                  if (!def) return;
                  // A new schedule starts from the type's example; an edited one keeps a payload that still fits.
                  if (!schedule || checkPayload(form.getFieldValue("payload"), def, t))
                    form.setFieldsValue({ payload: JSON.stringify(examplePayload(def.payload_schema), null, 2) });
                  if (!schedule) form.setFieldsValue({ priority: def.priority });
                  void form.validateFields(["payload"]).catch(() => undefined);
                }}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t.schedules.form.description} name="description">
          <Input.TextArea
            maxLength={500}
            autoSize={{ minRows: 1, maxRows: 3 }}
            placeholder={t.schedules.form.descriptionPlaceholder}
            data-testid="schedule-description-input"
          />
        </Form.Item>
        {type?.description && (
          <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
            {type.description}
          </Typography.Paragraph>
        )}
        <PayloadField type={type} rows={3} />

        <Row gutter={12}>
          <Col span={16}>
            <Form.Item label={t.schedules.form.kind} name="kind">
              <Segmented<Kind>
                options={(["cron", "interval", "once", "after_close", "supervised"] as const).map((k) => ({ value: k, label: t.schedules.kinds[k] }))}
                data-testid="schedule-kind"
              />
            </Form.Item>
          </Col>
          {(kind === "cron" || kind === "interval") && (
            <Col span={8}>
              <Form.Item
                label={t.schedules.form.tradingDaysOnly}
                name="trading_days_only"
                valuePropName="checked"
                tooltip={t.schedules.form.tradingDaysHelp}
              >
                <Switch data-testid="schedule-trading-days" />
              </Form.Item>
            </Col>
          )}
        </Row>
        {kind === "cron" && (
          <Row gutter={12}>
            <Col span={14}>
              <Form.Item
                label={t.schedules.form.cron}
                name="cron"
                extra={t.schedules.form.cronHelp}
                rules={[{ required: true, whitespace: true, message: t.schedules.form.cronRequired }]}
                {...timingStatus("cron")}
              >
                <Input
                  maxLength={120}
                  placeholder="0 15 * * 1-5"
                  style={{ fontFamily: "monospace" }}
                  spellCheck={false}
                  data-testid="schedule-cron"
                />
              </Form.Item>
            </Col>
            <Col span={10}>{timezoneField}</Col>
          </Row>
        )}
        {kind === "interval" && (
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item
                label={t.schedules.form.interval}
                name="interval_seconds"
                rules={[{ required: true, message: t.schedules.form.intervalRequired }]}
                {...timingStatus("interval_seconds")}
              >
                <InputNumber min={1} max={366 * 86_400} precision={0} style={{ width: "100%" }} data-testid="schedule-interval" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item label={t.schedules.form.anchor} name="run_at" tooltip={t.schedules.form.anchorHelp} {...timingStatus("run_at")}>
                <DatePicker showTime style={{ width: "100%" }} data-testid="schedule-anchor" />
              </Form.Item>
            </Col>
            <Col span={8}>{timezoneField}</Col>
          </Row>
        )}
        {kind === "once" && (
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item
                label={t.schedules.form.runAt}
                name="run_at"
                rules={[{ required: true, message: t.schedules.form.runAtRequired }]}
                {...timingStatus("run_at")}
              >
                <DatePicker showTime style={{ width: "100%" }} data-testid="schedule-run-at" />
              </Form.Item>
            </Col>
            <Col span={12}>{timezoneField}</Col>
          </Row>
        )}

        {kind === "after_close" && (
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item
                label={t.schedules.form.afterCloseMinutes}
                name="after_close_minutes"
                extra={t.schedules.form.afterCloseHelp}
                rules={[{ required: true, message: t.schedules.form.afterCloseRequired }]}
                {...timingStatus("after_close_minutes")}
              >
                <InputNumber min={0} max={539} precision={0} style={{ width: "100%" }} data-testid="schedule-after-close" />
              </Form.Item>
            </Col>
          </Row>
        )}

        {kind === "supervised" ? (
          <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t.schedules.supervisedHint} data-testid="supervised-hint" />
        ) : (
          <FireTimesPreview timing={timing} preview={preview} error={previewError} />
        )}

        <Row gutter={12}>
          <Col span={8}>
            <Form.Item label={t.create.priority} name="priority">
              <InputNumber min={100} max={900} step={100} precision={0} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t.create.timeout} name="timeout_s">
              <InputNumber min={0.1} max={7 * 86400} placeholder={type ? String(type.timeout_ms / 1000) : undefined} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t.create.maxAttempts} name="max_attempts">
              <InputNumber min={1} max={100} precision={0} placeholder={type ? String(type.max_attempts) : undefined} style={{ width: "100%" }} />
            </Form.Item>
          </Col>
        </Row>
        <PolicyFields kind={values?.kind} />
      </Form>
    </Modal>
  );
}
