"use client";
/**
 * A task's result (its handler's JSON) as its type declares it: the summary fields as labelled,
 * typed values, with the JSON one click away. Without a declaration, or when no declared field
 * is in the result, the JSON is shown.
 */
import { useState } from "react";
import { Card, Descriptions, Segmented } from "antd";
import { valueAt, type ResultView } from "@/contracts/resultView";
import { prettyJson } from "../format";
import { useI18n } from "../i18n";
import { ResultCell } from "./ResultCell";
import { jsonBlock } from "./jsonBlock";

/** The 结果 card: the declared summary fields of `result`, or its JSON. */
export function ResultSummary({ result, view }: { result: unknown; view: ResultView | null | undefined }) {
  const { t, lang } = useI18n();
  const [raw, setRaw] = useState(false);
  const fields = (view?.summary ?? []).filter((c) => valueAt(result, c.field) !== undefined);
  const typed = fields.length > 0;
  return (
    <Card
      size="small"
      title={t.run.result}
      style={{ marginTop: 16 }}
      extra={
        typed && (
          <Segmented
            size="small"
            value={raw ? "json" : "fields"}
            onChange={(v) => setRaw(v === "json")}
            options={[
              { value: "fields", label: t.run.asFields },
              { value: "json", label: "JSON" },
            ]}
            data-testid="result-mode"
          />
        )
      }
    >
      {typed && !raw ? (
        <Descriptions size="small" column={{ xs: 1, sm: 2 }} data-testid="task-result">
          {fields.map((c) => (
            <Descriptions.Item key={c.field} label={c.title[lang]}>
              <ResultCell column={c} value={valueAt(result, c.field)} lang={lang} />
            </Descriptions.Item>
          ))}
        </Descriptions>
      ) : (
        <pre style={jsonBlock} data-testid={typed ? "task-result-json" : "task-result"}>
          {prettyJson(result)}
        </pre>
      )}
    </Card>
  );
}
