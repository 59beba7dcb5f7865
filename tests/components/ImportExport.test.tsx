import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App } from "antd";
import { ImportExport, ImportModal } from "@/client/schedules/ImportExport";
import { ImportDiff } from "@/client/schedules/ImportPreview";
import { MeProvider } from "@/client/me";
import { I18nProvider } from "@/client/i18n";
import type { Role } from "@/contracts/roles";
import type { ImportResult } from "@/contracts/catalogue";

const RESULT: ImportResult = {
  applied: false,
  mode: "merge",
  alerts: null,
  queues: null,
  summary: { added: 1, changed: 1, removed: 1, unchanged: 4 },
  changes: [
    {
      name: "nightly_nav",
      action: "add",
      fields: [],
      before: null,
      after: { name: "nightly_nav", task_type: "fund_nav_sync", kind: "after_close", after_close_minutes: 240, payload: { source: "http" } },
    },
    {
      name: "indicator_calculation",
      action: "change",
      fields: ["after_close_minutes", "payload"],
      before: { name: "indicator_calculation", task_type: "signals_batch", after_close_minutes: 300, payload: { all: true } },
      after: { name: "indicator_calculation", task_type: "signals_batch", after_close_minutes: 320, payload: { all: true, params: { rsi: 9 } } },
    },
    { name: "old_job", action: "remove", fields: [], before: { name: "old_job", task_type: "noop", kind: "cron", cron: "0 1 * * *" }, after: null },
  ],
};

function wrap(children: React.ReactNode, role: Role = "admin") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <I18nProvider initial="zh">
      <QueryClientProvider client={client}>
        <App>
          <MeProvider me={{ kind: "user", id: "1", username: "u", role }}>{children}</MeProvider>
        </App>
      </QueryClientProvider>
    </I18nProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("ImportDiff", () => {
  it("shows the counts and every added, changed (field by field, before → after) and removed schedule", () => {
    wrap(<ImportDiff result={RESULT} />);
    const summary = screen.getByTestId("import-summary");
    expect(summary.textContent).toContain("新增 1");
    expect(summary.textContent).toContain("修改 1");
    expect(summary.textContent).toContain("删除 1");
    expect(summary.textContent).toContain("不变 4");
    expect(screen.getByText("应用后将删除 1 个定时任务")).toBeTruthy();

    const added = screen.getByText("nightly_nav").closest("tr") as HTMLElement;
    expect(within(added).getByText("新增")).toBeTruthy();
    expect(added.textContent).toContain("task_type: fund_nav_sync");
    expect(added.textContent).toContain("after_close_minutes: 240");

    const changed = screen.getByText("indicator_calculation").closest("tr") as HTMLElement;
    expect(within(changed).getByText("修改")).toBeTruthy();
    const fields = within(changed).getAllByTestId("import-field");
    expect(fields.map((f) => f.textContent)).toEqual(["after_close_minutes: 300 → 320", 'payload: {"all":true} → {"all":true,"params":{"rsi":9}}']);

    const removed = screen.getByText("old_job").closest("tr") as HTMLElement;
    expect(within(removed).getByText("删除")).toBeTruthy();
    expect(removed.textContent).toContain("cron: 0 1 * * *");
  });

  it("says so when nothing would change", () => {
    wrap(<ImportDiff result={{ ...RESULT, summary: { added: 0, changed: 0, removed: 0, unchanged: 13 }, changes: [] }} />);
    expect(screen.getByTestId("import-no-changes").textContent).toBe("没有需要应用的变化");
  });
});

describe("ImportModal", () => {
  function stubFetch(answer: (url: string, init: RequestInit) => Response) {
    const calls: { url: string; method: string; type: string | null; body: unknown }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, method: init.method ?? "GET", type: new Headers(init.headers).get("content-type"), body: init.body });
        return answer(url, init);
      }),
    );
    return calls;
  }

  it("previews the pasted YAML (a dry run), then applies exactly that text and mode", async () => {
    const calls = stubFetch((url) =>
      Response.json({ ...RESULT, applied: !url.includes("dry_run=true"), mode: url.includes("replace") ? "replace" : "merge" }),
    );
    const onClose = vi.fn();
    wrap(<ImportModal open onClose={onClose} />);
    const apply = () => screen.getByTestId("import-apply") as HTMLButtonElement;
    expect(apply().disabled).toBe(true);

    const yaml = "version: 1\nschedules: []\n";
    fireEvent.change(screen.getByTestId("import-text"), { target: { value: yaml } });
    fireEvent.click(screen.getByRole("checkbox", { name: /替换模式/ }));
    fireEvent.click(screen.getByTestId("import-preview"));
    await screen.findByTestId("import-diff");
    expect(calls).toEqual([{ url: "/api/schedules/import?dry_run=true&mode=replace", method: "POST", type: "application/yaml", body: yaml }]);
    // Nothing is applied by the preview.
    expect(onClose).not.toHaveBeenCalled();

    // Editing the text after the preview asks for a new preview before applying.
    fireEvent.change(screen.getByTestId("import-text"), { target: { value: yaml + "# edited\n" } });
    expect(apply().disabled).toBe(true);
    expect(screen.getByText("内容或模式已改变，请重新预览")).toBeTruthy();
    fireEvent.change(screen.getByTestId("import-text"), { target: { value: yaml } });
    await waitFor(() => expect(apply().disabled).toBe(false));

    fireEvent.click(apply());
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls[1]).toEqual({ url: "/api/schedules/import?dry_run=false&mode=replace", method: "POST", type: "application/yaml", body: yaml });
    expect(await screen.findByText("已导入：新增 1，修改 1，删除 1")).toBeTruthy();
  });

  it("lists each problem of an invalid file with its line, and offers nothing to apply", async () => {
    stubFetch(() =>
      Response.json(
        {
          error: {
            code: "invalid_input",
            message: "invalid schedule file: line 4: schedules.0.cron: invalid cron expression",
            details: {
              problems: [
                { line: 4, column: 11, path: "schedules.0.cron", message: "invalid cron expression" },
                { line: null, column: null, path: "", message: "the file is larger than 1048576 bytes" },
              ],
            },
          },
        },
        { status: 400 },
      ),
    );
    wrap(<ImportModal open onClose={() => undefined} />);
    fireEvent.change(screen.getByTestId("import-text"), { target: { value: "schedules:\n  - cron: nope\n" } });
    fireEvent.click(screen.getByTestId("import-preview"));
    const error = await screen.findByTestId("import-error");
    expect(error.textContent).toContain("文件有错误，未做任何更改");
    expect(
      within(error)
        .getAllByTestId("import-problem")
        .map((p) => p.textContent),
    ).toEqual(["第 4 行 schedules.0.cron: invalid cron expression", "the file is larger than 1048576 bytes"]);
    expect(screen.queryByTestId("import-diff")).toBeNull();
    expect((screen.getByTestId("import-apply") as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("ImportExport", () => {
  it("offers 导出 to everyone and 导入 to admins only", () => {
    const { unmount } = wrap(<ImportExport />, "operator");
    expect(screen.getByText("导出").closest("a")?.getAttribute("href")).toBe("/api/schedules/export");
    expect(screen.queryByText("导入")).toBeNull();
    unmount();
    wrap(<ImportExport />, "admin");
    expect(screen.getByText("导入")).toBeTruthy();
  });
});
