import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App } from "antd";
import { TaskTable } from "@/client/tasks/TaskTable";
import { MeProvider } from "@/client/me";
import { I18nProvider } from "@/client/i18n";
import type { Role } from "@/contracts/roles";
import type { TaskJson } from "@/contracts/tasks";

vi.mock("next/link", () => ({ default: ({ href, children }: { href: string; children: React.ReactNode }) => <a href={href}>{children}</a> }));

function task(id: string, status: TaskJson["status"], extra: Partial<TaskJson> = {}): TaskJson {
  return {
    id,
    type: "sleep",
    queue: "default",
    payload: { ms: 1 },
    priority: 500,
    status,
    run_at: "2026-11-22T00:00:00.000Z",
    attempts: 1,
    max_attempts: 3,
    timeout_ms: 1000,
    batch_id: null,
    idempotency_key: null,
    progress: status === "running" ? 40 : 0,
    progress_message: null,
    result: null,
    error: null,
    error_stack: null,
    created_at: "2026-11-22T00:00:00.000Z",
    started_at: status === "queued" ? null : "2026-11-22T00:00:00.000Z",
    finished_at: null,
    cancel_requested: false,
    parent_id: null,
    schedule_id: null,
    run_id: status === "queued" ? null : `r${id}`,
    worker_id: null,
    cloned_from: null,
    ...extra,
  };
}

const tasks = [task("3", "running"), task("2", "failed", { error: "Error: boom\n  at x" }), task("1", "succeeded")];

function setup(role: Role) {
  const calls: { url: string; method: string }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, method: init?.method ?? "GET" });
      if (url.startsWith("/api/tasks?")) return Response.json({ items: tasks, next_cursor: null });
      if (url === "/api/task-types") return Response.json({ items: [{ name: "sleep", title: "等待" }] });
      return Response.json({ outcome: "cancel_requested", task: tasks[0] });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <I18nProvider initial="zh">
      <QueryClientProvider client={client}>
        <App>
          <MeProvider me={{ kind: "user", id: "1", username: "u", role }}>
            <TaskTable filters={{}} />
          </MeProvider>
        </App>
      </QueryClientProvider>
    </I18nProvider>,
  );
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe("TaskTable", () => {
  it("offers each task exactly the actions its status allows, and sends them", async () => {
    const calls = setup("operator");
    const running = (await screen.findByText("#3")).closest("tr") as HTMLElement;
    const failed = screen.getByText("#2").closest("tr") as HTMLElement;
    const done = screen.getByText("#1").closest("tr") as HTMLElement;
    expect(within(running).queryByRole("button", { name: "取消" })).toBeTruthy();
    expect(within(running).queryByRole("button", { name: "删除" })).toBeNull();
    expect(within(failed).queryByRole("button", { name: "重试" })).toBeTruthy();
    expect(within(done).queryByRole("button", { name: "重试" })).toBeNull();
    expect(within(done).queryByRole("button", { name: "删除" })).toBeTruthy();
    expect(within(failed).getByText("Error: boom")).toBeTruthy();
    expect(within(running).getByText("40%")).toBeTruthy();

    fireEvent.click(within(running).getByRole("button", { name: "取消" }));
    await waitFor(() => expect(calls).toContainEqual({ url: "/api/tasks/3/cancel", method: "POST" }));
    fireEvent.click(within(failed).getByRole("button", { name: "重试" }));
    await waitFor(() => expect(calls).toContainEqual({ url: "/api/tasks/2/retry", method: "POST" }));
    // Links go to the latest run.
    expect(within(running).getByText("#3").closest("a")?.getAttribute("href")).toBe("/tasks/runs/r3");
  });

  it("shows a viewer no actions and no selection boxes", async () => {
    setup("viewer");
    await screen.findByText("#3");
    expect(screen.queryByRole("button", { name: "取消" })).toBeNull();
    expect(screen.queryByRole("button", { name: "重试" })).toBeNull();
    expect(screen.queryAllByRole("checkbox")).toHaveLength(0);
  });
});
