"use client";
/**
 * What a schedule import would do, or why it cannot: the diff of a dry run (counts, then each
 * added, changed — field by field, before → after — or removed schedule) and the line-located
 * problems of an invalid file.
 */
import { Alert, Space, Table, Tag, Typography } from "antd";
import type { ImportResult } from "@/contracts/catalogue";
import { ApiError } from "../api";
import { useI18n } from "../i18n";

type Change = ImportResult["changes"][number];

interface Problem {
  line: number | null;
  path: string;
  message: string;
}

/** The line-located problems of a 400 from the import (empty for any other error). */
export function problemsOf(err: unknown): Problem[] {
  if (!(err instanceof ApiError) || err.status !== 400) return [];
  const problems = (err.details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems)
    ? problems.map((p: { line?: unknown; path?: unknown; message?: unknown }) => ({
        line: typeof p.line === "number" ? p.line : null,
        path: typeof p.path === "string" ? p.path : "",
        message: String(p.message ?? ""),
      }))
    : [];
}

/** A spec value as short text: strings as they are, the rest as JSON; "—" when absent. */
function show(v: unknown): string {
  if (v === undefined || v === null) return "—";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** The fields that say what an added or removed schedule is. */
const KEY_FIELDS = ["task_type", "kind", "cron", "interval_seconds", "after_close_minutes", "run_at", "enabled"];

const ACTION_COLOR: Record<Change["action"], string> = { add: "green", change: "blue", remove: "red" };

/** What an import would do (or did): the counts, then one row per added, changed or removed schedule. */
export function ImportDiff({ result }: { result: ImportResult }) {
  const t = useI18n().t;
  const im = t.schedules.importer;
  const label: Record<Change["action"], string> = { add: im.added, change: im.changed, remove: im.removed };
  const { summary } = result;
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="import-diff">
      <Space size="middle" wrap data-testid="import-summary">
        <Typography.Text>
          {im.added}{" "}
          <Typography.Text strong style={{ color: summary.added ? "#389e0d" : undefined }}>
            {summary.added}
          </Typography.Text>
        </Typography.Text>
        <Typography.Text>
          {im.changed}{" "}
          <Typography.Text strong style={{ color: summary.changed ? "#1f6feb" : undefined }}>
            {summary.changed}
          </Typography.Text>
        </Typography.Text>
        <Typography.Text>
          {im.removed}{" "}
          <Typography.Text strong style={{ color: summary.removed ? "#cf1322" : undefined }}>
            {summary.removed}
          </Typography.Text>
        </Typography.Text>
        <Typography.Text type="secondary">
          {im.unchanged} {summary.unchanged}
        </Typography.Text>
      </Space>
      {summary.removed > 0 && <Alert type="warning" showIcon title={im.removeWarning(summary.removed)} />}
      {result.changes.length === 0 ? (
        <Typography.Text type="secondary" data-testid="import-no-changes">
          {im.noChanges}
        </Typography.Text>
      ) : (
        <Table<Change>
          rowKey={(c) => `${c.action}:${c.name}`}
          size="small"
          pagination={false}
          dataSource={result.changes}
          scroll={{ y: 300 }}
          data-testid="import-changes"
          columns={[
            {
              title: im.col.action,
              dataIndex: "action",
              width: 80,
              render: (a: Change["action"]) => (
                <Tag color={ACTION_COLOR[a]} style={{ marginInlineEnd: 0 }}>
                  {label[a]}
                </Tag>
              ),
            },
            { title: im.col.name, dataIndex: "name", width: 200, render: (n: string) => <span style={{ wordBreak: "break-all" }}>{n}</span> },
            {
              title: im.col.details,
              render: (_: unknown, c) => {
                if (c.action === "change")
                  return (
                    <div style={{ fontSize: 12 }}>
                      {c.fields.map((f) => (
                        <div key={f} data-testid="import-field" style={{ wordBreak: "break-all" }}>
                          <Typography.Text code>{f}</Typography.Text>: <Typography.Text type="secondary">{show(c.before?.[f])}</Typography.Text> →{" "}
                          <Typography.Text>{show(c.after?.[f])}</Typography.Text>
                        </div>
                      ))}
                    </div>
                  );
                const spec = c.after ?? c.before ?? {};
                return (
                  <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: "break-all" }}>
                    {KEY_FIELDS.filter((f) => spec[f] !== undefined)
                      .map((f) => `${f}: ${show(spec[f])}`)
                      .join(" · ")}
                  </Typography.Text>
                );
              },
            },
          ]}
        />
      )}
      {result.alerts && result.alerts.changes.length > 0 && (
        <div data-testid="import-alerts">
          <Typography.Text strong>{t.alerts.title}</Typography.Text>
          {result.alerts.changes.map((c) => (
            <div key={`${c.section}:${c.name}`} style={{ fontSize: 12 }}>
              <Tag color={ACTION_COLOR[c.action]}>{label[c.action]}</Tag>
              {c.section === "channels" ? t.alerts.channel : t.alerts.rule} <Typography.Text code>{c.name}</Typography.Text>
              {c.fields.length > 0 && <Typography.Text type="secondary"> · {c.fields.join(", ")}</Typography.Text>}
            </div>
          ))}
        </div>
      )}
      {result.queues && result.queues.changes.length > 0 && (
        <div data-testid="import-queues">
          <Typography.Text strong>{t.queues.limits}</Typography.Text>
          {result.queues.changes.map((c) => (
            <div key={c.name} style={{ fontSize: 12 }}>
              <Tag color={ACTION_COLOR[c.action]}>{label[c.action]}</Tag>
              {t.queues.name} <Typography.Text code>{c.name}</Typography.Text>
              {c.fields.length > 0 && <Typography.Text type="secondary"> · {c.fields.join(", ")}</Typography.Text>}
            </div>
          ))}
        </div>
      )}
    </Space>
  );
}

/** Why an import failed: every problem of an invalid file as "第 N 行 path: message", or the error's message. */
export function ImportError({ error }: { error: unknown }) {
  const t = useI18n().t;
  const problems = problemsOf(error);
  return (
    <Alert
      type="error"
      showIcon
      data-testid="import-error"
      title={problems.length > 0 ? t.schedules.importer.invalid : error instanceof ApiError ? error.message : t.common.failed}
      description={
        problems.length > 0 ? (
          <ul style={{ margin: 0, paddingInlineStart: 18, maxHeight: 240, overflow: "auto" }}>
            {problems.map((p, i) => (
              <li key={i} data-testid="import-problem" style={{ wordBreak: "break-word" }}>
                {t.schedules.importer.problem(p.line, p.path, p.message)}
              </li>
            ))}
          </ul>
        ) : undefined
      }
    />
  );
}
