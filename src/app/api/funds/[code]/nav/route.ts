import { z } from "zod";
import { CodeParam, NavQuery } from "@/contracts/funds";
import { getDatabase } from "@/db/client";
import { loadSeries, parseYmd, ymd } from "@/domain/series";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One instrument's daily unit NAV (or close) and accumulated NAV, optionally within [from, to]. */
export const GET = route({ role: "viewer", params: z.object({ code: CodeParam }), query: NavQuery }, async ({ params, query }) => {
  const { db } = await getDatabase();
  const inst = await db.instrument.findUnique({ where: { code: params.code }, select: { code: true, name: true } });
  if (!inst) throw new HttpError("not_found", `no fund or index with code ${params.code}`);
  const s = (await loadSeries(db, [inst.code])).get(inst.code);
  const from = query.from ? parseYmd(query.from) : -Infinity;
  const to = query.to ? parseYmd(query.to) : Infinity;
  const points: { date: string; nav: number; acc_nav: number }[] = [];
  if (s)
    for (let i = 0; i < s.dates.length; i++) {
      const d = s.dates[i];
      if (d < from || d > to) continue;
      points.push({ date: ymd(d), nav: s.nav[i], acc_nav: s.accNav[i] });
    }
  return { json: { code: inst.code, name: inst.name, points } };
});
