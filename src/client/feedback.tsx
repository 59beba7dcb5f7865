"use client";
/** The one way pages confirm actions: success messages (with the 去任务队列查看进度/日志 link when work was enqueued) and API errors. */
import type { ReactNode } from "react";
import Link from "next/link";
import { App } from "antd";
import { ApiError } from "./api";
import { useT } from "./i18n";

export function useFeedback() {
  const { message } = App.useApp();
  const t = useT();
  return {
    /** Work was enqueued: say so, with a link to its progress and log. */
    enqueued(text: ReactNode, href: string) {
      message.success(
        <span>
          {text} · <Link href={href}>{t.common.goToRun}</Link>
        </span>,
        6,
      );
    },
    ok(text: ReactNode) {
      message.success(text);
    },
    failed(err: unknown) {
      message.error(err instanceof ApiError ? err.message : t.common.failed);
    },
    /** Runs an action and reports its outcome. */
    async run(p: Promise<unknown>, ok: ReactNode): Promise<boolean> {
      try {
        await p;
        message.success(ok);
        return true;
      } catch (err) {
        message.error(err instanceof ApiError ? err.message : t.common.failed);
        return false;
      }
    },
  };
}
