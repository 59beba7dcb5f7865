/** 复制为新任务: the 新建任务 form opens filled from the task, and what it sends names the source. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App } from "antd";
import { CreateTaskModal } from "@/client/tasks/CreateTaskModal";
import { MeProvider } from "@/client/me";
import { I18nProvider } from "@/client/i18n";
import type { TaskJson } from "@/contracts/tasks";

vi.mock("next/link", () => ({ default: ({ href, children }: { href: string; children: React.ReactNode }) => <a href={href}>{children}</a> }));

const SLEEP = {
  name: "sleep",
  title: "等待",
  description: null,
  category: "demo",
  queue: "default",
  mode: "fast",
  timeout_ms: 600_000,
  max_attempts: 3,
  priority: 500,
  role: "operator",
  script: null,
  payload_schema: { type: "object", properties: { ms: { type: "integer", minimum: 0 } }, required: ["ms"], additionalProperties: false },
};

const SOURCE = {
  id: "5",
  type: "sleep",
  queue: "compute",
  payload: { ms: 200 },
  priority: 700,
  status: "failed",
  timeout_ms: 30_000,
  max_attempts: 2,
} as unknown as TaskJson;

afterEach(() => vi.unstubAllGlobals());

describe("CreateTaskModal from a task (复制为新任务)", () => {
  it("is filled with the task's type, payload, queue, priority, timeout and attempts, and sends an edited copy naming its source", async () => {
    const posted: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        if (url.startsWith("/api/task-types")) return Response.json({ items: [SLEEP, { ...SLEEP, name: "noop", title: "空任务", queue: "compute" }] });
        if (url === "/api/tasks" && init.method === "POST") {
          posted.push(JSON.parse(String(init.body)));
          return Response.json({ task: { id: "9" } }, { status: 201 });
        }
        return Response.json({ error: { code: "not_found", message: url } }, { status: 404 });
      }),
    );
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const onClose = vi.fn();
    render(
      <I18nProvider initial="zh">
        <QueryClientProvider client={client}>
          <App>
            <MeProvider me={{ kind: "user", id: "1", username: "u", role: "operator" }}>
              <CreateTaskModal open source={SOURCE} onClose={onClose} />
            </MeProvider>
          </App>
        </QueryClientProvider>
      </I18nProvider>,
    );
    expect(await screen.findByText("复制任务 #5 为新任务")).toBeTruthy();
    const payload = screen.getByLabelText("参数（JSON）") as HTMLTextAreaElement;
    expect(JSON.parse(payload.value)).toEqual({ ms: 200 });
    expect((screen.getByLabelText("优先级（100–900，越大越先）") as HTMLInputElement).value).toBe("700");
    expect((screen.getByLabelText("超时（秒）") as HTMLInputElement).value).toBe("30");
    expect((screen.getByLabelText("最多尝试次数") as HTMLInputElement).value).toBe("2");
    await waitFor(() => expect(screen.getByTestId("create-queue").textContent).toContain("compute"));

    fireEvent.change(payload, { target: { value: '{"ms": 50}' } });
    fireEvent.click(screen.getByRole("button", { name: "创建" }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({ type: "sleep", payload: { ms: 50 }, priority: 700, queue: "compute", cloned_from: "5", timeout_ms: 30_000, max_attempts: 2 });
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });
});
