import { PreviewBody } from "@/contracts/schedules";
import { route } from "@/server/route";
import { checkTiming } from "@/server/schedules";
import { nextSlots } from "@/queue/schedule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The next fire times of a timing, or 400 with the reason (the schedule form's live check). */
export const POST = route({ role: "viewer", body: PreviewBody, bodyLimit: 4096 }, async ({ body }) => {
  const timing = {
    kind: body.kind,
    cron: body.cron,
    timezone: body.timezone,
    intervalSeconds: body.interval_seconds,
    runAt: body.run_at ? new Date(body.run_at) : body.kind === "interval" ? new Date() : null,
    tradingDaysOnly: body.trading_days_only,
    afterCloseMinutes: body.after_close_minutes ?? null,
  };
  checkTiming(timing);
  return { json: { next_runs: nextSlots(timing, new Date(), body.count).map((d) => d.toISOString()) } };
});
