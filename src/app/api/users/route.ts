import { CreateUserBody } from "@/contracts/auth";
import { ListQuery } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { cursorPage } from "@/server/paging";
import { hashPassword } from "@/server/auth/secrets";
import { userJson } from "@/server/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Users, by id. */
export const GET = route({ role: "admin", query: ListQuery }, async ({ query }) => {
  const { db } = await getDatabase();
  const rows = await db.user.findMany({
    where: query.cursor ? { id: { gt: Number(query.cursor) } } : {},
    orderBy: { id: "asc" },
    take: query.limit + 1,
  });
  return { json: cursorPage(rows, query.limit, userJson) };
});

/** Creates a user. */
export const POST = route({ role: "admin", audit: "user.create", body: CreateUserBody, bodyLimit: 4096 }, async ({ body }) => {
  const { db } = await getDatabase();
  if (await db.user.findUnique({ where: { username: body.username } })) throw new HttpError("conflict", `user ${body.username} already exists`);
  const user = await db.user.create({ data: { username: body.username, passwordHash: await hashPassword(body.password), role: body.role } });
  return { status: 201, json: { user: userJson(user) }, audit: { target: user.username, details: { role: user.role } } };
});
