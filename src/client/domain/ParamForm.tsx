"use client";
/**
 * A form for a strategy's declared parameters (contracts/researchParams.ts): one number field
 * per parameter with its range, step, default and one-line description. `check` is the very
 * schema the server validates with, run in the browser so a value out of range or pairs out of
 * order are shown at the field before anything is sent. The last values a user ran are kept in
 * this browser per user and strategy (useLastParams; a sweep's texts: useLastTexts).
 */
import { useCallback, useState } from "react";
import { Col, Form, InputNumber, Row, Tooltip, Typography } from "antd";
import type { z } from "zod";
import type { ParamSpec } from "@/contracts/researchParams";
import { useI18n } from "../i18n";
import { useMe } from "../me";

/** Field errors from a failed check, by the last key of each issue's path (the first message of each). */
export function paramErrors(check: z.ZodType, values: unknown): Record<string, string> {
  const r = check.safeParse(values);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const key = String(issue.path[issue.path.length - 1] ?? "");
    out[key] ??= issue.message;
  }
  return out;
}

/**
 * Values a user last used for `scope` (e.g. "screen:ma_golden_cross"), kept in localStorage
 * under their user id, and a setter that remembers new ones; `keep` says which stored values
 * are of the right type (anything else, or unreadable storage, is forgotten).
 */
function useRemembered<V>(scope: string, keep: (v: unknown) => v is V): [Record<string, V>, (v: Record<string, V>) => void] {
  const me = useMe();
  const key = `qtask.params.${me.id}.${scope}`;
  const read = (): Record<string, V> => {
    try {
      const raw = typeof window === "undefined" ? null : window.localStorage.getItem(key);
      const parsed = raw ? (JSON.parse(raw) as unknown) : {};
      return parsed && typeof parsed === "object" ? (Object.fromEntries(Object.entries(parsed).filter(([, v]) => keep(v))) as Record<string, V>) : {};
    } catch {
      return {};
    }
  };
  const [value, setValue] = useState<Record<string, V>>(read);
  const remember = useCallback(
    (v: Record<string, V>) => {
      setValue(v);
      try {
        window.localStorage.setItem(key, JSON.stringify(v));
      } catch {
        // storage full or disabled: the form still works, it just forgets
      }
    },
    [key],
  );
  return [value, remember];
}

/** The params a user last ran for `scope`. */
export function useLastParams(scope: string): [Record<string, number>, (v: Record<string, number>) => void] {
  return useRemembered(scope, (v): v is number => typeof v === "number");
}

/** The sweep texts ("5..20 step 5") a user last swept for `scope`. */
export function useLastTexts(scope: string): [Record<string, string>, (v: Record<string, string>) => void] {
  return useRemembered(`${scope}:sweep`, (v): v is string => typeof v === "string");
}

/** A param's label: its key, with its one-line description and range on hover. */
export function ParamLabel({ spec: s }: { spec: ParamSpec }) {
  const { lang } = useI18n();
  return (
    <Tooltip title={`${lang === "zh" ? s.zh : s.en} (${s.min} – ${s.max})`}>
      <Typography.Text code style={{ fontSize: 12 }}>
        {s.key}
      </Typography.Text>
    </Tooltip>
  );
}

/** The fields of `specs`; `values` and `errors` are the caller's state. */
export function ParamFields({
  specs,
  values,
  errors,
  onChange,
  span = 8,
  disabled,
}: {
  specs: readonly ParamSpec[];
  values: Record<string, number | undefined>;
  errors: Record<string, string>;
  onChange: (key: string, value: number | undefined) => void;
  span?: number;
  disabled?: boolean;
}) {
  const { lang } = useI18n();
  return (
    <Row gutter={8}>
      {specs.map((s) => (
        <Col key={s.key} span={span}>
          <Form.Item
            label={<ParamLabel spec={s} />}
            validateStatus={errors[s.key] ? "error" : undefined}
            help={errors[s.key]}
            style={{ marginBottom: 8 }}
          >
            <InputNumber
              size="small"
              style={{ width: "100%" }}
              value={values[s.key]}
              placeholder={String(s.default)}
              step={s.step}
              disabled={disabled}
              aria-label={s.key}
              onChange={(v) => onChange(s.key, typeof v === "number" ? v : undefined)}
            />
          </Form.Item>
        </Col>
      ))}
    </Row>
  );
}

/** The values with empty fields dropped (the server fills in their defaults). */
export function givenParams(values: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === "number")) as Record<string, number>;
}
