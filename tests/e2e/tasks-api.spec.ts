/**
 * The task endpoints over real HTTP against the running app and its worker: shapes,
 * filters, pagination that stays stable while new tasks arrive, the run/log/result reads,
 * and every 4xx case.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";

async function batch(request: APIRequestContext, tasks: object[], name?: string) {
  const res = await request.post("/api/tasks/batch", { data: { tasks, ...(name ? { batch_name: name } : {}) } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { batch_id: string; task_ids: string[] };
}

async function waitStatus(request: APIRequestContext, id: string, status: string) {
  await expect.poll(async () => (await (await request.get(`/api/tasks/${id}`)).json()).task.status, { timeout: 20_000 }).toBe(status);
}

test("cursor pages are stable while new tasks arrive", async ({ request }) => {
  const name = `page-${Date.now()}`;
  const { task_ids } = await batch(
    request,
    Array.from({ length: 25 }, () => ({ type: "sleep", payload: { ms: 0 } })),
    name,
  );
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: import("@playwright/test").APIResponse = await request.get(`/api/tasks?batch_id=${name}&limit=10${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { items: { id: string }[]; next_cursor: string | null };
    seen.push(...body.items.map((t) => t.id));
    cursor = body.next_cursor;
    // New tasks in the same batch arrive between pages: they are newer than the cursor and never shift later pages.
    if (pages === 0) await request.post("/api/tasks", { data: { type: "noop", batch_id: name } });
    pages++;
  } while (cursor);
  expect(pages).toBe(3);
  expect(seen).toEqual([...task_ids].sort((a, b) => Number(b) - Number(a)));
});

test("filters: status, type, category, text, payload fields", async ({ request }) => {
  // Letters only: the text search below must not match the batch id by accident.
  const name = `filter-${Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("")}`;
  const { task_ids } = await batch(
    request,
    [
      { type: "sleep", payload: { ms: 1 } },
      { type: "sleep", payload: { ms: 2 } },
      { type: "noop", payload: { fund_code: "000001" } },
    ],
    name,
  );
  await Promise.all(task_ids.map((id) => waitStatus(request, id, "succeeded")));
  const ids = async (q: string) =>
    ((await (await request.get(`/api/tasks?batch_id=${name}&${q}`)).json()).items as { id: string }[]).map((t) => t.id);
  expect(await ids("type=noop")).toEqual([task_ids[2]]);
  expect(await ids("payload.fund_code=000001")).toEqual([task_ids[2]]);
  expect(await ids("payload.ms=2")).toEqual([task_ids[1]]);
  expect(await ids("payload.fund_code=000002")).toEqual([]);
  expect((await ids("status=succeeded,failed")).length).toBe(3);
  expect(await ids("status=queued")).toEqual([]);
  expect((await ids("category=demo")).length).toBe(3);
  expect(await ids(`q=${task_ids[0]}`)).toEqual([task_ids[0]]);
  for (const bad of ["status=done", "limit=0", "limit=1000", "cursor=abc", "colour=red", "payload.a-b=1", "category=nope", "queue=UPPER"]) {
    const res = await request.get(`/api/tasks?${bad}`);
    expect(res.status(), bad).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_input");
  }
});

test("overview, statistics and task types have their shapes", async ({ request }) => {
  const o = await (await request.get("/api/tasks/overview")).json();
  expect(Object.keys(o.counts).sort()).toEqual(["cancelled", "failed", "queued", "running", "succeeded"]);
  expect(o.stats.throughput).toHaveLength(60);
  expect(o.stats.today).toMatchObject({ total: expect.any(Number), succeeded: expect.any(Number), failed: expect.any(Number) });
  expect(Array.isArray(o.running) && Array.isArray(o.queued) && Array.isArray(o.recent) && Array.isArray(o.queues)).toBe(true);
  expect(o.workers.length).toBeGreaterThanOrEqual(1);

  const s = await (await request.get("/api/tasks/statistics")).json();
  const sleep = s.items.find((i: { type: string }) => i.type === "sleep");
  expect(sleep).toMatchObject({ count: expect.any(Number), p95_ms: expect.any(Number), success_rate: expect.any(Number) });
  expect((await request.get("/api/tasks/statistics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")).status()).toBe(400);
  expect((await request.get("/api/tasks/statistics?from=yesterday")).status()).toBe(400);

  const types = (await (await request.get("/api/task-types")).json()).items;
  const sleepType = types.find((t: { name: string }) => t.name === "sleep");
  expect(sleepType).toMatchObject({ queue: "default", mode: "fast", category: "demo" });
  expect(sleepType.payload_schema.properties.ms).toMatchObject({ type: "integer" });
});

test("cancel, retry and delete follow the state machine (409 otherwise)", async ({ request }) => {
  const done = (await (await request.post("/api/tasks", { data: { type: "noop" } })).json()).task.id;
  await waitStatus(request, done, "succeeded");
  for (const [method, path] of [
    ["post", `/api/tasks/${done}/cancel`],
    ["post", `/api/tasks/${done}/retry`],
  ] as const) {
    const res = await request[method](path);
    expect(res.status(), path).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: "conflict", details: { status: "succeeded" } });
  }
  const running = (await (await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 20_000 } } })).json()).task.id;
  await waitStatus(request, running, "running");
  expect((await request.delete(`/api/tasks/${running}`)).status()).toBe(409);
  expect((await (await request.post(`/api/tasks/${running}/cancel`)).json()).outcome).toBe("cancel_requested");
  await waitStatus(request, running, "cancelled");
  const retried = await request.post(`/api/tasks/${running}/retry`);
  expect(retried.status()).toBe(200);
  expect((await retried.json()).task.status).toMatch(/queued|running/);
  await request.post(`/api/tasks/${running}/cancel`);
  await waitStatus(request, running, "cancelled");
  expect((await request.delete(`/api/tasks/${done}`)).status()).toBe(200);
  expect((await request.get(`/api/tasks/${done}`)).status()).toBe(404);
  expect((await request.delete(`/api/tasks/${done}`)).status()).toBe(404);
  expect((await request.post(`/api/tasks/99999999/retry`)).status()).toBe(404);
});

test("runs, logs after after_seq, level filter, download; results paginated, sorted, as CSV", async ({ request }) => {
  const id = (await (await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 1500, rows: 120 } } })).json()).task.id;
  await waitStatus(request, id, "succeeded");
  const detail = await (await request.get(`/api/tasks/${id}`)).json();
  const runId = detail.runs[0].id;

  const run = await (await request.get(`/api/tasks/runs/${runId}`)).json();
  expect(run.run).toMatchObject({ id: runId, task_id: id, status: "succeeded" });
  expect(run.task.id).toBe(id);
  expect(run.runs.map((r: { id: string }) => r.id)).toEqual([runId]);

  const first = await (await request.get(`/api/tasks/runs/${runId}/logs?limit=2`)).json();
  expect(first.items.map((l: { seq: number }) => l.seq)).toEqual([1, 2]);
  expect(first.run_finished).toBe(true);
  const rest = await (await request.get(`/api/tasks/runs/${runId}/logs?after_seq=${first.next_after_seq}`)).json();
  expect(rest.items[0].seq).toBe(3);
  expect(rest.items.at(-1).message).toBe("succeeded");
  const warn = await (await request.get(`/api/tasks/runs/${runId}/logs?level=warn`)).json();
  expect(warn.items).toEqual([]);
  const found = await (await request.get(`/api/tasks/runs/${runId}/logs?q=slept`)).json();
  expect(found.items.map((l: { message: string }) => l.message)).toEqual(["slept 1 s"]);
  const file = await request.get(`/api/tasks/runs/${runId}/logs/download`);
  expect(file.headers()["content-type"]).toContain("text/plain");
  expect(file.headers()["content-disposition"]).toContain("attachment");
  expect(await file.text()).toMatch(/INFO +sleeping 1500 ms/);

  const p2 = await (await request.get(`/api/tasks/${id}/results?page=2&page_size=50`)).json();
  expect(p2).toMatchObject({ page: 2, page_size: 50, total: 120 });
  expect(p2.items[0]).toEqual({ key: "000050", data: { i: 50, attempt: 1 } });
  const desc = await (await request.get(`/api/tasks/${id}/results?sort=i&order=desc&page_size=3`)).json();
  expect(desc.items.map((r: { data: { i: number } }) => r.data.i)).toEqual([119, 118, 117]);
  const csv = await request.get(`/api/tasks/${id}/results/download`);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text())
    .replace(/^\ufeff/, "")
    .trim()
    .split("\n");
  // sleep declares its columns (序号, 尝试): the CSV has them, headed in Chinese by default.
  expect(lines[0]).toBe("序号,尝试");
  expect(lines).toHaveLength(121);
  const en = (await (await request.get(`/api/tasks/${id}/results/download?lang=en&sort=i&order=desc`)).text())
    .replace(/^\ufeff/, "")
    .trim()
    .split("\n");
  expect(en.slice(0, 2).map((l) => l.trim())).toEqual(["Index,Attempt", "119,1"]);

  const runs = await (await request.get(`/api/tasks/runs?type=sleep&status=succeeded&limit=5`)).json();
  expect(runs.items.length).toBeGreaterThan(0);
  expect(runs.items.every((r: { type: string; status: string }) => r.type === "sleep" && r.status === "succeeded")).toBe(true);
  for (const bad of ["status=done", "from=never", "limit=-1"]) expect((await request.get(`/api/tasks/runs?${bad}`)).status(), bad).toBe(400);
  for (const bad of ["level=loud", "after_seq=-1", "limit=5000"])
    expect((await request.get(`/api/tasks/runs/${runId}/logs?${bad}`)).status(), bad).toBe(400);
  expect((await request.get(`/api/tasks/runs/99999999/logs`)).status()).toBe(404);
  expect((await request.get(`/api/tasks/${id}/results?page=0`)).status()).toBe(400);
  expect((await request.get(`/api/tasks/${id}/results?sort=a;drop`)).status()).toBe(400);
});

test("bulk actions, batch roll-up and retrying only failed children", async ({ request }) => {
  const name = `bulk-${Date.now()}`;
  const { task_ids } = await batch(
    request,
    [{ type: "flaky", payload: { fail_times: 9 }, max_attempts: 1 }, { type: "noop" }, { type: "sleep", payload: { ms: 30_000 } }],
    name,
  );
  await waitStatus(request, task_ids[0], "failed");
  await waitStatus(request, task_ids[1], "succeeded");
  const roll = await (await request.get(`/api/tasks/batches/${name}`)).json();
  expect(roll).toMatchObject({ batch_id: name, total: 3 });
  expect(roll.counts.failed).toBe(1);
  const retried = await (await request.post(`/api/tasks/batches/${name}/retry_failed`)).json();
  expect(retried.retried).toBe(1);
  const bulk = await (await request.post("/api/tasks/bulk", { data: { action: "cancel", ids: task_ids } })).json();
  expect(bulk.results.find((r: { id: string }) => r.id === task_ids[1])).toMatchObject({ ok: false });
  expect(bulk.results.find((r: { id: string }) => r.id === task_ids[2])).toMatchObject({ ok: true });
  expect((await request.post("/api/tasks/bulk", { data: { action: "explode", ids: task_ids } })).status()).toBe(400);
  expect((await request.post("/api/tasks/bulk", { data: { action: "cancel", ids: [] } })).status()).toBe(400);
  expect((await request.get(`/api/tasks/batches/no-such-batch`)).status()).toBe(404);
});

test("cleanup deletes old finished tasks (admin)", async ({ request }) => {
  const res = await request.post("/api/tasks/cleanup", { data: { older_than_days: 3650 } });
  expect(res.status()).toBe(200);
  expect((await res.json()).deleted).toEqual({ tasks: 0, runs: 0, log_lines: 0, result_rows: 0 });
  expect((await request.post("/api/tasks/cleanup", { data: { older_than_days: -1 } })).status()).toBe(400);
});

test("the API documents itself", async ({ request }) => {
  const doc = await (await request.get("/api/docs?format=json")).json();
  expect(doc.openapi).toBe("3.1.0");
  expect(doc.paths["/api/tasks"].post.requestBody.content["application/json"].schema.properties.type).toBeTruthy();
  const page = await request.get("/api/docs", { headers: { accept: "text/html" } });
  expect(page.headers()["content-type"]).toContain("text/html");
  expect(await page.text()).toContain("/api/tasks/runs/{run_id}/logs");
});
