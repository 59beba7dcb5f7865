"use client";
import { Result } from "antd";
import { useT } from "./i18n";

/** Shown instead of a page the user's role may not see. */
export function Forbidden() {
  const t = useT();
  return <Result status="403" title={t.common.forbiddenTitle} subTitle={t.common.forbiddenText} />;
}
