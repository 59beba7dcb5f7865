/**
 * Server push in the browser against the running app and its worker: a log line written by a
 * running task appears on the run page without a reload and without the page polling the log;
 * with /api/events blocked the pages fall back to polling by themselves and say so; and over
 * real HTTP, Last-Event-ID resumes a log tail without gaps or duplicates.
 */
import http from "node:http";
import { expect, test, type APIRequestContext } from "@playwright/test";

async function startSleep(request: APIRequestContext, ms: number): Promise<{ taskId: string; runId: string }> {
  const res = await request.post("/api/tasks", { data: { type: "sleep", payload: { ms } } });
  expect(res.status(), await res.text()).toBe(201);
  const taskId = (await res.json()).task.id as string;
  let runId = "";
  await expect
    .poll(
      async () => {
        const body = await (await request.get(`/api/tasks/${taskId}`)).json();
        runId = body.runs[0]?.id ?? "";
        return runId;
      },
      { timeout: 20_000 },
    )
    .not.toBe("");
  return { taskId, runId };
}

test("a running task's new log lines appear on its run page by push, not by polling", async ({ page, request }) => {
  const { runId } = await startSleep(request, 6_000);
  const logReads: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes(`/api/tasks/runs/${runId}/logs`)) logReads.push(r.url());
  });
  await page.goto(`/tasks/runs/${runId}`);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live", { timeout: 10_000 });
  const lines = page.getByTestId("log-lines");
  await expect(lines).toContainText("sleeping 6000 ms");
  // Counted from "slept 2 s" on: while the page settles, a component subscribing late reopens the
  // stream, and its hello catches up with one read (seen once under the full suite's load).
  await expect(lines).toContainText("slept 2 s", { timeout: 10_000 });
  const readsBefore = logReads.length;
  await expect(lines).toContainText("slept 3 s", { timeout: 5_000 });
  await expect(lines).toContainText("slept 4 s", { timeout: 5_000 });
  // Two new lines arrived with no request for the log: the stream brought them.
  expect(logReads.length).toBe(readsBefore);
  // The run ends: its status on the page follows without a reload.
  await expect(page.getByText("succeeded").or(page.getByText("成功")).first()).toBeVisible({ timeout: 15_000 });
});

test("with /api/events blocked the pages poll, and say so", async ({ page, request }) => {
  await page.route("**/api/events**", (route) => route.abort());
  await page.goto("/tasks");
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "polling", { timeout: 10_000 });
  await expect(page.getByTestId("live-indicator")).toContainText("轮询");
  const before = await (await request.get("/api/tasks/overview")).json();
  const res = await request.post("/api/tasks", { data: { type: "noop" } });
  const id = (await res.json()).task.id as string;
  // The task list still updates: by polling (every 5 s) instead of by push.
  await expect(page.getByRole("link", { name: `#${id}`, exact: true }).first()).toBeVisible({ timeout: 15_000 });
  expect(before.counts).toBeTruthy();
});

/** Reads an event stream over real HTTP until `stop` says so; returns the events. */
function readEvents(url: string, headers: Record<string, string>, stop: (events: { event: string; id: string | null; data: string }[]) => boolean) {
  return new Promise<{ event: string; id: string | null; data: string }[]>((resolve, reject) => {
    const events: { event: string; id: string | null; data: string }[] = [];
    const req = http.get(url, { headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      expect(res.headers["content-type"]).toContain("text/event-stream");
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const e = { event: "message", id: null as string | null, data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) e.event = line.slice(7);
            else if (line.startsWith("id: ")) e.id = line.slice(4);
            else if (line.startsWith("data: ")) e.data = line.slice(6);
          }
          if (e.data) events.push(e);
          if (stop(events)) {
            req.destroy();
            resolve(events);
          }
        }
      });
    });
    req.on("error", (err) => (err.message.includes("socket hang up") ? resolve(events) : reject(err)));
    setTimeout(() => {
      req.destroy();
      reject(new Error(`timed out; got ${events.map((e) => e.event).join(",")}`));
    }, 20_000);
  });
}

test("over HTTP, Last-Event-ID resumes a log tail without gaps or duplicates", async ({ request, baseURL }) => {
  const cookies = (await request.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const { runId } = await startSleep(request, 4_000);
  const url = `${baseURL}/api/events?topics=run:${runId}:logs`;
  // First connection from the start, until "slept 1 s"; then drop it.
  const first = await readEvents(`${url}&after_seq=0`, { cookie: cookies }, (es) =>
    es.some((e) => e.event === "log" && e.data.includes("slept 1 s")),
  );
  const firstLogs = first.filter((e) => e.event === "log");
  const lastId = firstLogs.at(-1)!.id!;
  // Reconnect as EventSource does, with the last id; read to the end of the run.
  const second = await readEvents(url, { cookie: cookies, "last-event-id": lastId }, (es) => es.some((e) => e.event === "log_end"));
  const seqs = [...firstLogs, ...second.filter((e) => e.event === "log")].map((e) => JSON.parse(e.data).seq as number);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  const all = (await (await request.get(`/api/tasks/runs/${runId}/logs?limit=1000`)).json()).items.map((l: { seq: number }) => l.seq);
  expect(seqs).toEqual(all);
});
