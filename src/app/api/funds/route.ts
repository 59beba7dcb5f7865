import { FundListQuery, type FundJson, type FundType, type InstrumentKind } from "@/contracts/funds";
import { getDatabase } from "@/db/client";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const SORT_FIELDS = { code: "code", name: "name", return_1m: "return1m", return_3m: "return3m", return_1y: "return1y" } as const;

/** Funds (or indices / stocks with `kind`), page-numbered: `q` matches a code prefix or part of the name. */
export const GET = route({ role: "viewer", query: FundListQuery }, async ({ query }) => {
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
    return_1m: r.return1m,
    return_3m: r.return3m,
    return_1y: r.return1y,
  }));
  return { json: { items, page: query.page, page_size: query.page_size, total } };
});
