/**
 * The HTTP API of the running app (real server, real worker, real SQLite): the first task
 * endpoints, and bad input answered with a 4xx error envelope while nothing is written.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";

const json = { "content-type": "application/json" };

async function createNoop(request: APIRequestContext): Promise<number> {
  const res = await request.post("/api/tasks", { data: { type: "noop" } });
  expect(res.status()).toBe(201);
  return Number((await res.json()).task.id);
}

test("health reports the database and the running worker", async ({ request }) => {
  // The worker registers a moment after the web server answers.
  await expect.poll(async () => (await (await request.get("/api/health")).json()).workers.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ status: "ok", database: "ok" });
  expect(body.workers.length).toBeGreaterThanOrEqual(1);
  expect(body.workers[0]).toEqual({ id: expect.any(String), last_seen_at: expect.any(String), running: expect.any(Number) });
});

test("POST /api/tasks enqueues, the worker runs it, GET /api/tasks/{id} shows task and runs", async ({ request }) => {
  const res = await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 200 }, priority: 700 } });
  expect(res.status()).toBe(201);
  const { task } = await res.json();
  expect(task).toMatchObject({ type: "sleep", queue: "default", priority: 700, payload: { ms: 200 } });
  // The idle worker is woken at once and may have claimed it before the response was read.
  expect(["queued", "running"]).toContain(task.status);
  expect(typeof task.id).toBe("string");
  await expect.poll(async () => (await (await request.get(`/api/tasks/${task.id}`)).json()).task.status, { timeout: 15_000 }).toBe("succeeded");
  const detail = await (await request.get(`/api/tasks/${task.id}`)).json();
  expect(detail.runs).toHaveLength(1);
  expect(detail.runs[0]).toMatchObject({ task_id: task.id, attempt: 1, status: "succeeded" });
  expect(detail.task.result).toMatchObject({ rows: 0 });
});

test("an idempotency key returns the existing unfinished task with 200", async ({ request }) => {
  const body = { type: "sleep", payload: { ms: 3000 }, idempotency_key: `e2e-${Date.now()}` };
  const first = await request.post("/api/tasks", { data: body });
  const second = await request.post("/api/tasks", { data: body });
  expect(first.status()).toBe(201);
  expect(second.status()).toBe(200);
  expect((await second.json()).task.id).toBe((await first.json()).task.id);
});

test("bad input gets a 4xx with the error envelope, and nothing is written", async ({ request }) => {
  const before = await createNoop(request);
  const cases: { name: string; send: () => Promise<import("@playwright/test").APIResponse>; status: number; code: string }[] = [
    { name: "unknown type", send: () => request.post("/api/tasks", { data: { type: "no_such_type" } }), status: 400, code: "invalid_input" },
    {
      name: "payload failing its schema",
      send: () => request.post("/api/tasks", { data: { type: "sleep", payload: { ms: "soon" } } }),
      status: 400,
      code: "invalid_input",
    },
    {
      name: "missing payload field",
      send: () => request.post("/api/tasks", { data: { type: "sleep", payload: {} } }),
      status: 400,
      code: "invalid_input",
    },
    {
      name: "negative priority",
      send: () => request.post("/api/tasks", { data: { type: "noop", priority: -5 } }),
      status: 400,
      code: "invalid_input",
    },
    { name: "unknown field", send: () => request.post("/api/tasks", { data: { type: "noop", colour: "red" } }), status: 400, code: "invalid_input" },
    {
      name: "unknown queue",
      send: () => request.post("/api/tasks", { data: { type: "noop", queue: "nowhere" } }),
      status: 400,
      code: "invalid_input",
    },
    {
      name: "bad run_at",
      send: () => request.post("/api/tasks", { data: { type: "noop", run_at: "tomorrow" } }),
      status: 400,
      code: "invalid_input",
    },
    { name: "broken JSON", send: () => request.post("/api/tasks", { headers: json, data: '{"type": "noop",' }), status: 400, code: "invalid_input" },
    { name: "empty body", send: () => request.post("/api/tasks", { headers: json, data: "" }), status: 400, code: "invalid_input" },
    {
      name: "JSON that is not an object",
      send: () => request.post("/api/tasks", { headers: json, data: "[1,2]" }),
      status: 400,
      code: "invalid_input",
    },
    {
      name: "deeply nested JSON",
      send: () => request.post("/api/tasks", { headers: json, data: `{"type":"noop","payload":{"a":${"[".repeat(100)}${"]".repeat(100)}}}` }),
      status: 400,
      code: "invalid_input",
    },
    {
      name: "body over the size limit",
      send: () => request.post("/api/tasks", { headers: json, data: JSON.stringify({ type: "noop", payload: { x: "a".repeat(2_000_000) } }) }),
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "not JSON at all",
      send: () => request.post("/api/tasks", { headers: { "content-type": "text/plain" }, data: "type=noop" }),
      status: 415,
      code: "unsupported_media_type",
    },
    {
      name: "SQL in the type",
      send: () => request.post("/api/tasks", { data: { type: "noop'; DROP TABLE tasks; --" } }),
      status: 400,
      code: "invalid_input",
    },
  ];
  for (const c of cases) {
    const res = await c.send();
    expect(res.status(), c.name).toBe(c.status);
    const body = await res.json();
    expect(body.error, c.name).toMatchObject({ code: c.code, message: expect.any(String) });
  }
  // Ids are never reused: the next task follows the one before the bad requests directly.
  expect(await createNoop(request)).toBe(before + 1);
});

test("unknown and malformed task ids are 404 with the envelope", async ({ request }) => {
  for (const id of ["999999999", "abc", "-1", "1.5", "0"]) {
    const res = await request.get(`/api/tasks/${id}`);
    expect(res.status(), id).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  }
});
