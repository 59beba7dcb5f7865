/**
 * 复制为新任务 of a script task with a secret param (both databases, the real route handlers, the
 * catalogue of tests/fixtures/scripts): the task's JSON shows the secret as ***, and a copy that
 * sends *** back runs with the source's stored value; a copy that sends a new value keeps it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The server's registry reads the catalogue file when it loads: point it at the fixture first.
vi.hoisted(() => {
  process.env.QTASK_TASKS_FILE = "tests/fixtures/scripts/tasks.yaml";
});

import * as tasksRoute from "@/app/api/tasks/route";
import * as taskRoute from "@/app/api/tasks/[id]/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`cloning a task with a secret on ${kind}`, () => {
    let t: TestDb;
    let operator = "";
    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      operator = (await signedInUser(t.database.db, "otto", "operator")).session;
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t?.drop();
    });
    const create = async (body: unknown) => {
      const res = await callRoute(tasksRoute.POST, "/api/tasks", { auth: operator, body });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { task: { id: string; payload: Record<string, unknown> } }).task;
    };
    const stored = async (id: string) =>
      JSON.parse((await t.database.db.task.findUniqueOrThrow({ where: { id: Number(id) } })).payload) as Record<string, unknown>;

    it("a masked secret sent back keeps the source's value; a new one replaces it", async () => {
      const source = await create({ type: "t_args", payload: { word: "w", token: "s3cret" } });
      expect(source.payload.token).toBe("***");
      const shown = await callRoute(taskRoute.GET, `/api/tasks/${source.id}`, { auth: operator, params: { id: source.id } });
      const payload = ((await shown.json()) as { task: { payload: Record<string, unknown> } }).task.payload;
      expect(payload).toEqual({ word: "w", n: 1, token: "***" });

      const copy = await create({ type: "t_args", payload: { ...payload, word: "w2" }, cloned_from: source.id });
      expect(await stored(copy.id)).toEqual({ word: "w2", n: 1, token: "s3cret" });
      const changed = await create({ type: "t_args", payload: { ...payload, token: "other" }, cloned_from: source.id });
      expect(await stored(changed.id)).toEqual({ word: "w", n: 1, token: "other" });
      // Not a copy: *** is the value asked for.
      const plain = await create({ type: "t_args", payload: { word: "w", token: "***" } });
      expect(await stored(plain.id)).toMatchObject({ token: "***" });
    });
  });
}
