/**
 * A failed task's error (both databases, a real worker, the real route handlers): everyone
 * reads the message; the stack trace only operators and admins, and with paths relative to
 * the project, never where the server is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "@/queue/enqueue";
import { registry } from "@/tasks";
import type { RouteHandler } from "@/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { finishedTask, freshDb, providers, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`error stacks on ${kind}`, () => {
    let t: TestDb;
    let worker: WorkerProcess;
    const sessions: Record<string, string> = {};
    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      for (const role of ["viewer", "operator"] as const) sessions[role] = (await signedInUser(t.database.db, role, role)).session;
      worker = await startWorker(t.url, { JOB_NUM: "1" });
    });
    afterAll(async () => {
      await worker?.stop("SIGKILL");
      await releaseRouteDb();
      await t?.drop();
    });

    it("shows viewers the message, operators the stack, with project-relative paths", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "flaky", payload: { fail_times: 1 }, maxAttempts: 1 });
      const row = await finishedTask(t, id);
      expect(row.status).toBe("failed");
      expect(row.error).toMatch(/^Error: flaky: attempt 1 of 1 planned failures\n\s+at /);
      expect(row.error).not.toContain(process.cwd());
      expect(row.error).toMatch(/\bsrc\/tasks\/flaky\.ts:\d+/);

      const getTask = (await import("@/app/api/tasks/[id]/route")).GET as RouteHandler;
      const getRun = (await import("@/app/api/tasks/runs/[run_id]/route")).GET as RouteHandler;
      const read = async (h: RouteHandler, path: string, params: Record<string, string>, role: string) => {
        const res = await callRoute(h, path, { auth: sessions[role], params });
        expect(res.status).toBe(200);
        return res.json();
      };
      const message = "Error: flaky: attempt 1 of 1 planned failures";
      for (const role of ["viewer", "operator"]) {
        const task = await read(getTask, `/api/tasks/${id}`, { id: String(id) }, role);
        const run = await read(getRun, `/api/tasks/runs/${row.runId}`, { run_id: String(row.runId) }, role);
        for (const x of [task.task, task.runs[0], run.run, run.task]) {
          expect(x.error).toBe(message);
          if (role === "viewer") expect(x.error_stack).toBeNull();
          else {
            expect(x.error_stack).toMatch(/^Error: flaky: attempt 1 of 1 planned failures\n\s+at .*src\/tasks\/flaky\.ts:\d+/);
            expect(x.error_stack).not.toContain(process.cwd());
          }
        }
      }
    });
  });
}
