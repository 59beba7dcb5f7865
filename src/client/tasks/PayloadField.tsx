"use client";
/**
 * Writing a task payload as JSON, shared by 新建任务 and the schedule form: a starting value
 * from the type's JSON Schema, the check against it (the schema turned back into zod, so the
 * browser refuses what the server would), and the textarea that checks as the user types.
 */
import { Form, Input } from "antd";
import { z } from "zod";
import type { TaskTypeJson } from "@/contracts/catalogue";
import { useT } from "../i18n";

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; default?: unknown; minimum?: number };

/** A payload to start from: defaults, or the smallest valid value of each required field. */
export function examplePayload(schema: unknown): Record<string, unknown> {
  const s = schema as JsonSchema;
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (p.default !== undefined) out[k] = p.default;
    else if (s.required?.includes(k))
      out[k] =
        p.type === "integer" || p.type === "number" ? Math.max(p.minimum ?? 0, 0) : p.type === "boolean" ? false : p.type === "string" ? "" : null;
  }
  return out;
}

/** Checks payload text against a type's JSON Schema; returns the problem or null. */
export function checkPayload(text: string, type: TaskTypeJson | undefined, t: ReturnType<typeof useT>): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text || "{}");
  } catch {
    return t.create.invalidJson;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return t.create.notObject;
  if (!type) return null;
  const parsed = z.fromJSONSchema(type.payload_schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return t.create.schemaError(issue.path.join("."), issue.message);
}

/** The JSON payload textarea, checked against the selected type's schema as the user types. */
export function PayloadField({ type, rows }: { type: TaskTypeJson | undefined; rows: number }) {
  const t = useT();
  return (
    <Form.Item
      label={t.create.payload}
      name="payload"
      extra={t.create.payloadHelp}
      rules={[
        {
          validator: async (_r, text: string) => {
            const problem = checkPayload(text, type, t);
            if (problem) throw new Error(problem);
          },
        },
      ]}
    >
      <Input.TextArea rows={rows} style={{ fontFamily: "monospace" }} spellCheck={false} />
    </Form.Item>
  );
}
