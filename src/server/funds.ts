/** The fund endpoints' verbs: the fund (or index, stock) list, and one instrument's NAV series. */
import type { FundJson, FundType, fundNav, InstrumentKind, listFunds } from "@/contracts/funds";
import { getDatabase } from "@/db/client";
import { loadSeries, parseYmd, ymd } from "@/domain/series";
import { adjustedNav } from "@/domain/adjusted";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";

/** The list's sort keys as columns. */
const SORT_FIELDS = { code: "code", name: "name", return_1m: "return1m", return_3m: "return3m", return_1y: "return1y" } as const;

/** Funds (or indices / stocks with `kind`), page-numbered: `q` matches a code prefix or part of the name. */
export async function list({ query }: Input<typeof listFunds>): Promise<Output<typeof listFunds>> {
  const { db } = await getDatabase();
  const q = query.q;
  const where = {
    kind: query.kind,
    ...(query.type ? { fundType: query.type } : {}),
    ...(q ? { OR: [{ code: { startsWith: q.toUpperCase() } }, { name: { contains: q } }] } : {}),
  };
  const field = SORT_FIELDS[query.sort];
  const order = query.order;
  const orderBy =
    field === "code"
      ? [{ code: order }]
      : field === "name"
        ? [{ name: order }, { code: "asc" as const }]
        : [{ [field]: { sort: order, nulls: "last" as const } }, { code: "asc" as const }];
  const [total, rows] = await Promise.all([
    db.instrument.count({ where }),
    db.instrument.findMany({ where, orderBy, skip: (query.page - 1) * query.page_size, take: query.page_size }),
  ]);
  const items: FundJson[] = rows.map((r) => ({
    code: r.code,
    name: r.name,
    kind: r.kind as InstrumentKind,
    fund_type: r.fundType as FundType | null,
    latest_date: r.latestDate,
    latest_nav: r.latestNav,
    latest_acc_nav: r.latestAccNav,
    latest_adj_nav: r.latestAdjNav,
    return_1m: r.return1m,
    return_3m: r.return3m,
    return_1y: r.return1y,
  }));
  return { json: { items, page: query.page, page_size: query.page_size, total } };
}

/** One instrument's daily unit NAV (or close), accumulated and adjusted NAV and corporate actions, optionally within [from, to]. */
export async function nav({ params, query }: Input<typeof fundNav>): Promise<Output<typeof fundNav>> {
  const { db } = await getDatabase();
  const inst = await db.instrument.findUnique({ where: { code: params.code }, select: { code: true, name: true } });
  if (!inst) throw new HttpError("not_found", `no fund or index with code ${params.code}`);
  const s = (await loadSeries(db, [inst.code])).get(inst.code);
  const from = query.from ? parseYmd(query.from) : -Infinity;
  const to = query.to ? parseYmd(query.to) : Infinity;
  const points: { date: string; nav: number; acc_nav: number; adj_nav: number }[] = [];
  const actions: { date: string; dividend: number; split: number }[] = [];
  if (s) {
    const adj = adjustedNav(s);
    for (let i = 0; i < s.dates.length; i++) {
      const d = s.dates[i];
      if (d < from || d > to) continue;
      points.push({ date: ymd(d), nav: s.nav[i], acc_nav: s.accNav[i], adj_nav: adj[i] });
    }
    for (const a of s.actions) if (a.date >= from && a.date <= to) actions.push({ date: ymd(a.date), dividend: a.dividend, split: a.split });
  }
  return { json: { code: inst.code, name: inst.name, points, actions } };
}
