import { z } from "zod";
import { PatchUserBody } from "@/contracts/auth";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { hashPassword } from "@/server/auth/secrets";
import { keepAnAdmin, userJson, userOr404 } from "@/server/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const Params = z.object({ id: IdParam });

/** Changes a user's role, password or disabled flag; a new password or disabling ends their sessions. */
export const PATCH = route(
  { role: "admin", audit: "user.update", params: Params, body: PatchUserBody, bodyLimit: 4096 },
  async ({ params, body }) => {
    const { db } = await getDatabase();
    const user = await userOr404(db, params.id);
    await keepAnAdmin(db, user, { role: body.role ?? user.role, disabled: body.disabled ?? user.disabled });
    const updated = await db.user.update({
      where: { id: user.id },
      data: {
        ...(body.role ? { role: body.role } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}),
      },
    });
    if (body.password || body.disabled) await db.session.deleteMany({ where: { userId: user.id } });
    const changed = {
      ...(body.role ? { role: body.role } : {}),
      ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
      ...(body.password ? { password: "reset" } : {}),
    };
    return { json: { user: userJson(updated) }, audit: { target: user.username, details: changed } };
  },
);

/** Deletes a user (not yourself, not the last admin). */
export const DELETE = route({ role: "admin", audit: "user.delete", params: Params }, async ({ params, principal }) => {
  const { db } = await getDatabase();
  const user = await userOr404(db, params.id);
  if (principal.kind === "user" && principal.id === user.id) throw new HttpError("conflict", "you cannot delete your own account");
  await keepAnAdmin(db, user, null);
  await db.user.delete({ where: { id: user.id } });
  return { json: { ok: true }, audit: { target: user.username } };
});
