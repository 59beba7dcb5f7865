"use client";
/**
 * The form fields of a script type's params (its declaration in the server's catalogue file):
 * one field per param by its type, with its description, default, bounds and required mark.
 * Values live under `params.<name>`; paramsPayload() turns them into the task's payload.
 */
import dayjs, { type Dayjs } from "dayjs";
import { DatePicker, Form, Input, InputNumber, Select, Switch } from "antd";
import type { TaskTypeJson } from "@/contracts/catalogue";
import { useT } from "../i18n";

type Params = NonNullable<TaskTypeJson["script"]>["params"];

/** The initial form values of the params: their defaults (a date as a day). */
export function paramDefaults(params: Params): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params)
      .filter(([, p]) => p.default !== null)
      .map(([name, p]) => [name, p.type === "date" ? dayjs(String(p.default)) : p.default]),
  );
}

/** The payload of filled-in params: blanks left out (the server applies defaults), dates as YYYY-MM-DD. */
export function paramsPayload(params: Params, values: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(params)) {
    const v = values?.[name];
    if (v === undefined || v === null || v === "") continue;
    out[name] = p.type === "date" ? (v as Dayjs).format("YYYY-MM-DD") : v;
  }
  return out;
}

export function ParamsFields({ params }: { params: Params }) {
  const t = useT();
  return (
    <>
      {Object.entries(params).map(([name, p]) => {
        const common = {
          name: ["params", name],
          label: <code>{name}</code>,
          tooltip: p.description ?? undefined,
          extra: p.description ?? undefined,
          rules: p.required ? [{ required: true, message: t.create.paramRequired(name) }] : undefined,
        };
        switch (p.type) {
          case "boolean":
            return (
              <Form.Item key={name} {...common} valuePropName="checked">
                <Switch />
              </Form.Item>
            );
          case "integer":
          case "number":
            return (
              <Form.Item key={name} {...common}>
                <InputNumber
                  min={p.min ?? undefined}
                  max={p.max ?? undefined}
                  precision={p.type === "integer" ? 0 : undefined}
                  style={{ width: "100%" }}
                />
              </Form.Item>
            );
          case "date":
            return (
              <Form.Item key={name} {...common}>
                <DatePicker style={{ width: "100%" }} />
              </Form.Item>
            );
          case "enum":
            return (
              <Form.Item key={name} {...common}>
                <Select allowClear={!p.required} options={(p.values ?? []).map((v) => ({ value: v, label: v }))} />
              </Form.Item>
            );
          default:
            return (
              <Form.Item key={name} {...common}>
                {p.secret ? <Input.Password autoComplete="off" /> : <Input />}
              </Form.Item>
            );
        }
      })}
    </>
  );
}
