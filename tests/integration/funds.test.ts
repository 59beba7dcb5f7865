/**
 * The fund / NAV data layer against real databases: seeding the demo universe, the binary
 * series round trip through `nav_series`, the summary columns on `instruments`, and the two
 * read endpoints (called in-process with a viewer session). SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { seedFunds } from "@/demo/seed";
import { generateUniverse } from "@/demo/universe";
import { backfillActions, loadSeries, saveSeries, summarize, type NavSeries } from "@/domain/series";
import { createSession } from "@/server/auth/session";
import { hashPassword } from "@/server/auth/secrets";
import type { RouteHandler } from "@/server/route";
import { GET as listFunds } from "@/app/api/funds/route";
import { GET as fundNav } from "@/app/api/funds/[code]/nav/route";
import { freshDb, providers, type TestDb } from "./support/db";
import { handAdjusted } from "./support/handAdjusted";

const g = globalThis as unknown as { __qtaskDb?: Promise<Database> };

function series(code: string, acc: number[], nav = acc): NavSeries {
  return {
    code,
    dates: Int32Array.from(acc, (_, i) => Number(`2024${String(1 + Math.floor(i / 28)).padStart(2, "0")}${String(1 + (i % 28)).padStart(2, "0")}`)),
    nav: Float64Array.from(nav),
    accNav: Float64Array.from(acc),
    actions: [],
  };
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`funds on ${kind}`, () => {
    let t: TestDb;
    let cookie = "";
    const universe = generateUniverse(50);

    beforeAll(async () => {
      t = await freshDb(kind);
      // The route handlers open the process-wide database from DATABASE_URL on first use.
      process.env.DATABASE_URL = t.url;
      g.__qtaskDb = undefined;
      const viewer = await t.database.db.user.create({
        data: { username: "v", passwordHash: await hashPassword("viewer-password"), role: "viewer" },
      });
      cookie = `qtask_session=${(await createSession(t.database.db, viewer.id, { ip: "127.0.0.1", userAgent: "test" })).token}`;
    });
    afterAll(async () => {
      const shared = g.__qtaskDb;
      g.__qtaskDb = undefined;
      await (await shared)?.close();
      await t?.drop();
    });

    it("seeds 50 funds plus the real indices and stocks once, with the summary columns filled", async () => {
      const { db } = t.database;
      const t0 = performance.now();
      expect(await seedFunds(db, 50)).toBe(50);
      console.log(`[funds] seeded 50 funds on ${kind} in ${(performance.now() - t0).toFixed(0)} ms`);
      expect(await db.instrument.count()).toBe(58);
      expect(await db.navSeries.count()).toBe(58);
      expect(await db.instrument.count({ where: { kind: "fund" } })).toBe(50);
      expect(await db.instrument.count({ where: { kind: "index" } })).toBe(5);
      expect(await db.instrument.count({ where: { kind: "stock" } })).toBe(3);
      expect(await seedFunds(db, 50)).toBe(0); // not empty any more: nothing happens
      expect(await db.instrument.count()).toBe(58);

      const rows = await db.instrument.findMany();
      const byCode = new Map(rows.map((r) => [r.code, r]));
      for (let i = 0; i < universe.instruments.length; i++) {
        const inst = universe.instruments[i];
        const row = byCode.get(inst.code);
        expect(row, inst.code).toBeTruthy();
        const m = summarize(universe.series[i]);
        expect(row).toMatchObject({ name: inst.name, kind: inst.kind, fundType: inst.fundType, latestDate: m.latestDate, points: m.points });
        // Prisma's Float round trip keeps ~16 significant digits (the 17th may change), on both providers.
        for (const f of ["latestNav", "latestAccNav", "return1m", "return3m", "return1y"] as const) {
          if (m[f] === null) expect(row![f], `${inst.code}.${f}`).toBeNull();
          else expect(row![f], `${inst.code}.${f}`).toBeCloseTo(m[f], 12);
        }
        expect(row!.latestDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(row!.latestNav).toBeGreaterThan(0);
        expect(row!.points).toBe(universe.series[i].dates.length);
      }
      expect(byCode.get("000300.SH")).toMatchObject({ name: "沪深300", latestDate: "2024-09-19", latestNav: 3196.04, points: 1467 });
      expect(rows.filter((r) => r.kind === "fund" && r.return1m !== null).length).toBe(50);
      expect(rows.filter((r) => r.kind === "fund" && r.return1y !== null).length).toBeGreaterThan(35);
    });

    it("loads series back bit for bit, in chunks, skipping unknown codes", async () => {
      const codes = universe.instruments.map((i) => i.code);
      const missing = Array.from({ length: 300 }, (_, i) => `9${String(i).padStart(5, "0")}`);
      const loaded = await loadSeries(t.database.db, [...missing, ...codes, codes[0]]);
      expect(loaded.size).toBe(codes.length);
      for (const s of universe.series) {
        const got = loaded.get(s.code)!;
        expect(got.code).toBe(s.code);
        expect(Buffer.from(got.dates.buffer).equals(Buffer.from(s.dates.buffer, s.dates.byteOffset, s.dates.byteLength))).toBe(true);
        expect([...got.nav]).toEqual([...s.nav]);
        expect([...got.accNav]).toEqual([...s.accNav]);
      }
      expect((await loadSeries(t.database.db, [])).size).toBe(0);
    });

    it("saves a series: creates then replaces it and refreshes the instrument; 000001 stays a string", async () => {
      const { db } = t.database;
      const acc = Array.from({ length: 300 }, (_, i) => 1 + i / 1000);
      await saveSeries(db, series("000001", acc), { name: "测试成长混合A", kind: "fund", fundType: "hybrid" });
      const row = await db.instrument.findUniqueOrThrow({ where: { code: "000001" } });
      expect(row).toMatchObject({ code: "000001", name: "测试成长混合A", kind: "fund", fundType: "hybrid", points: 300, latestAccNav: 1.299 });
      expect(row.return1m).toBeCloseTo(1.299 / 1.278 - 1, 12);
      expect(row.return1y).toBeCloseTo(1.299 / 1.047 - 1, 12);
      // The index 000001.SH and the stock 000001.SZ are different instruments.
      expect((await db.instrument.findUniqueOrThrow({ where: { code: "000001.SH" } })).name).toBe("上证指数");

      const shorter = series("000001", [2, 2.1], [1.5, 1.6]);
      await saveSeries(db, shorter); // no meta: keeps name and type
      const again = await db.instrument.findUniqueOrThrow({ where: { code: "000001" } });
      expect(again).toMatchObject({ name: "测试成长混合A", fundType: "hybrid", points: 2, latestNav: 1.6, latestAccNav: 2.1, return1m: null });
      const back = (await loadSeries(db, ["000001"])).get("000001")!;
      expect([...back.nav]).toEqual([1.5, 1.6]);
      expect(await db.navSeries.count()).toBe(59);

      // An unknown instrument without meta is created as a fund named by its code.
      await saveSeries(db, series("009999", [1, 1.01]));
      expect(await db.instrument.findUniqueOrThrow({ where: { code: "009999" } })).toMatchObject({ name: "009999", kind: "fund", fundType: null });
      await db.instrument.delete({ where: { code: "009999" } });
      await db.navSeries.delete({ where: { code: "009999" } });
      // A broken series is refused before anything is written.
      await expect(saveSeries(db, { ...series("000002", [1, 2]), nav: new Float64Array(1) })).rejects.toThrow(/2 dates but 1 nav/);
      expect(await db.instrument.findUnique({ where: { code: "000002" } })).toBeNull();
    });

    const get = async (h: RouteHandler, url: string, params: Record<string, string> = {}) => {
      const res = await h(new Request(`http://127.0.0.1:3000${url}`, { headers: { cookie } }), { params: Promise.resolve(params) });
      return { status: res.status, body: await res.json() };
    };

    it("GET /api/funds lists, searches, filters, sorts and pages", async () => {
      const all = await get(listFunds, "/api/funds");
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ page: 1, page_size: 50, total: 51 }); // 50 demo funds + 000001
      expect(all.body.items[0]).toEqual({
        code: "000001",
        name: "测试成长混合A",
        kind: "fund",
        fund_type: "hybrid",
        latest_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        latest_nav: 1.6,
        latest_acc_nav: 2.1,
        latest_adj_nav: expect.any(Number),
        return_1m: null,
        return_3m: null,
        return_1y: null,
      });
      const codes = all.body.items.map((i: { code: string }) => i.code);
      expect(codes).toEqual([...codes].sort());

      const paged = await get(listFunds, "/api/funds?page=2&page_size=20&q=&type=");
      expect(paged.body).toMatchObject({ page: 2, page_size: 20, total: 51 });
      expect(paged.body.items.map((i: { code: string }) => i.code)).toEqual(codes.slice(20, 40));

      const fund = universe.instruments.find((i) => i.kind === "fund")!;
      const byPrefix = await get(listFunds, `/api/funds?q=${fund.code.slice(0, 5)}`);
      expect(byPrefix.body.items.map((i: { code: string }) => i.code)).toContain(fund.code);
      expect(byPrefix.body.items.every((i: { code: string }) => i.code.startsWith(fund.code.slice(0, 5)))).toBe(true);
      const byName = await get(listFunds, `/api/funds?q=${encodeURIComponent(fund.name.slice(-6))}`);
      expect(byName.body.items.map((i: { code: string }) => i.code)).toContain(fund.code);

      const money = await get(listFunds, "/api/funds?type=money&page_size=200");
      expect(money.body.total).toBe(universe.instruments.filter((i) => i.fundType === "money").length);
      expect(money.body.items.every((i: { fund_type: string; latest_nav: number }) => i.fund_type === "money" && i.latest_nav === 1)).toBe(true);

      const indices = await get(listFunds, "/api/funds?kind=index&sort=name&order=desc");
      expect(indices.body.total).toBe(5);
      expect(indices.body.items.map((i: { code: string }) => i.code)).toContain("000300.SH");
      expect((await get(listFunds, "/api/funds?kind=index&q=000300.sh")).body.items.map((i: { code: string }) => i.code)).toEqual(["000300.SH"]);

      const best = await get(listFunds, "/api/funds?sort=return_1y&order=desc&page_size=200");
      const r = best.body.items.map((i: { return_1y: number | null }) => i.return_1y);
      const known = r.filter((x: number | null) => x !== null);
      expect(known).toEqual([...known].sort((a: number, b: number) => b - a));
      expect(r.slice(known.length).every((x: number | null) => x === null)).toBe(true); // nulls last
      const worst = await get(listFunds, "/api/funds?sort=return_1y&order=asc&page_size=200");
      const w = worst.body.items.map((i: { return_1y: number | null }) => i.return_1y);
      expect(w.slice(0, known.length)).toEqual([...known].reverse());
    });

    it("GET /api/funds refuses bad input with 400 and the envelope", async () => {
      for (const q of [
        "page_size=201",
        "page=0",
        "page=x",
        "type=equity",
        "kind=bond",
        "sort=nav",
        "order=up",
        "foo=1",
        `q=${"x".repeat(101)}`,
        "q=%25",
        "q=00_1",
        "q=%5C",
      ]) {
        const res = await get(listFunds, `/api/funds?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.error.code, q).toBe("invalid_input");
      }
    });

    it("GET /api/funds/{code}/nav answers the series, optionally within from/to", async () => {
      const k = universe.instruments.findIndex((i) => i.kind === "fund");
      const { code, name } = universe.instruments[k];
      const s = universe.series[k];
      const res = await get(fundNav, `/api/funds/${code}/nav`, { code });
      expect(res.status).toBe(200);
      expect(res.body.code).toBe(code);
      expect(res.body.name).toBe(name);
      expect(res.body.points).toHaveLength(s.dates.length);
      expect(res.body.points.at(-1)).toEqual({ date: "2024-09-19", nav: s.nav.at(-1), acc_nav: s.accNav.at(-1), adj_nav: expect.any(Number) });
      expect(res.body.actions).toHaveLength(s.actions.length);

      const part = await get(fundNav, `/api/funds/${code}/nav?from=2024-01-01&to=2024-01-31`, { code });
      expect(part.body.points.length).toBeGreaterThan(15);
      expect(part.body.points.every((p: { date: string }) => p.date >= "2024-01-01" && p.date <= "2024-01-31")).toBe(true);

      const index = await get(fundNav, "/api/funds/000300.sh/nav?from=2024-09-19", { code: "000300.sh" });
      expect(index.body).toEqual({
        code: "000300.SH",
        name: "沪深300",
        points: [{ date: "2024-09-19", nav: 3196.04, acc_nav: 3196.04, adj_nav: 3196.04 }], // no actions: the close itself
        actions: [],
      });
    });

    it("shows returns and adjusted NAV that equal a hand computation from the unit NAV and the corporate actions", async () => {
      const list = await get(listFunds, "/api/funds?page_size=200");
      let paid = 0;
      for (const f of list.body.items as { code: string; latest_adj_nav: number; return_1m: number | null; return_1y: number | null }[]) {
        const nav = (await get(fundNav, `/api/funds/${f.code}/nav`, { code: f.code })).body as {
          points: { date: string; nav: number; adj_nav: number }[];
          actions: { date: string; dividend: number; split: number }[];
        };
        const adj = handAdjusted(
          nav.points.map((p) => p.date),
          nav.points.map((p) => p.nav),
          nav.actions,
        );
        const n = adj.length;
        if (nav.actions.some((a) => a.dividend > 0)) paid++;
        nav.points.forEach((p, i) => expect(Math.abs(p.adj_nav / adj[i] - 1), `${f.code} ${p.date}`).toBeLessThan(1e-9));
        expect(f.latest_adj_nav / adj[n - 1] - 1).toBeCloseTo(0, 9);
        if (n > 21) expect(f.return_1m, f.code).toBeCloseTo(adj[n - 1] / adj[n - 22] - 1, 9);
        if (n > 252) expect(f.return_1y, f.code).toBeCloseTo(adj[n - 1] / adj[n - 253] - 1, 9);
        else expect(f.return_1y).toBeNull();
      }
      expect(paid).toBeGreaterThan(10); // the demo funds pay dividends, so the difference shows
    });

    it("infers, once, the dividends of a series stored before corporate actions existed", async () => {
      const { db } = t.database;
      // As an older version stored it: no actions column value, a 0.3 dividend visible only as acc − nav.
      await saveSeries(db, series("000077", [1.8, 1.8, 1.8], [1.5, 1.5, 1.2]));
      await db.navSeries.update({ where: { code: "000077" }, data: { actions: null } });
      expect(await backfillActions(db)).toBe(1);
      expect(await backfillActions(db)).toBe(0);
      const s = (await loadSeries(db, ["000077"])).get("000077")!;
      expect(s.actions).toEqual([{ date: s.dates[2], dividend: 0.3, split: 1 }]);
      expect((await db.instrument.findUniqueOrThrow({ where: { code: "000077" } })).latestAdjNav).toBeCloseTo(1.5, 12);
      await db.instrument.delete({ where: { code: "000077" } });
      await db.navSeries.delete({ where: { code: "000077" } });
    });

    it("GET /api/funds/{code}/nav: 404 for an unknown or malformed code, 400 for bad dates", async () => {
      for (const code of ["123456", "abc$", "x".repeat(21)]) {
        const res = await get(fundNav, `/api/funds/${encodeURIComponent(code)}/nav`, { code });
        expect(res.status, code).toBe(404);
        expect(res.body.error.code).toBe("not_found");
      }
      for (const q of ["from=2024-02-30", "to=2024/01/01", "from=2024-03-01&to=2024-02-01", "limit=3"]) {
        const res = await get(fundNav, `/api/funds/000001/nav?${q}`, { code: "000001" });
        expect(res.status, q).toBe(400);
        expect(res.body.error.code, q).toBe("invalid_input");
      }
    });
  });
}
