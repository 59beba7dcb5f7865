import { ImportQuery } from "@/contracts/schedules";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { readTextDocument, route } from "@/server/route";
import { applyCatalogue, CatalogueError, MAX_CATALOGUE_BYTES, parseCatalogue, planCatalogue } from "@/server/catalogue";
import { registry } from "@/server/queue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Imports schedules from a YAML document (the body, or a multipart file). An invalid file is
 * rejected whole (400 with each problem's line) and changes nothing. `dry_run=true` answers
 * with the diff only; otherwise the diff is applied in one transaction, each change audited
 * with before and after. `mode=replace` also removes schedules the file does not name.
 */
export const POST = route({ role: "admin", audit: "schedule.import", query: ImportQuery }, async ({ req, query, principal, ip }) => {
  const text = await readTextDocument(req, MAX_CATALOGUE_BYTES);
  let specs;
  try {
    specs = parseCatalogue(text, registry);
  } catch (err) {
    if (err instanceof CatalogueError) throw new HttpError("invalid_input", `invalid schedule file: ${err.message}`, { problems: err.problems });
    throw err;
  }
  const { db } = await getDatabase();
  const plan = await planCatalogue(db, registry, specs, { prune: query.mode === "replace" });
  if (!query.dry_run) {
    await applyCatalogue(db, plan, { principal, action: "schedule.update", ip, userAgent: req.headers.get("user-agent"), source: "import" });
  }
  const count = (a: string) => plan.changes.filter((c) => c.action === a).length;
  const summary = { added: count("add"), changed: count("change"), removed: count("remove"), unchanged: plan.unchanged.length };
  return {
    json: { applied: !query.dry_run, mode: query.mode, summary, changes: plan.changes },
    audit: { target: query.dry_run ? "preview" : "schedules", details: { dry_run: query.dry_run, mode: query.mode, ...summary } },
  };
});
