import { getDatabase } from "@/db/client";
import { route } from "@/server/route";
import { serializeCatalogue, specOf } from "@/server/catalogue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every schedule as a YAML document in the format of config/tasks.yaml (a download). */
export const GET = route({ role: "viewer" }, async () => {
  const { db } = await getDatabase();
  const rows = await db.schedule.findMany({ orderBy: { id: "asc" } });
  const yaml = serializeCatalogue(rows.map(specOf), `qtask schedules, exported ${new Date().toISOString()}`);
  return new Response(yaml, {
    headers: {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="qtask-schedules-${new Date().toISOString().slice(0, 10)}.yaml"`,
      "cache-control": "no-store",
    },
  });
});
