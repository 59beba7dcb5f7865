import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { readRunLog } from "@/queue/runLog";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const CHUNK = 5_000;

/** The whole log of a run as a text file, streamed in chunks. */
export const GET = route({ role: "viewer", params: z.object({ run_id: IdParam }) }, async ({ params }) => {
  const { database } = await getQueue();
  const run = await database.db.run.findUnique({ where: { id: params.run_id } });
  if (!run) throw new HttpError("not_found", `run ${params.run_id} not found`);
  let after = 0;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const lines = await readRunLog(database.db, run, { afterSeq: after, limit: CHUNK });
      if (lines.length === 0) return controller.close();
      after = lines[lines.length - 1].seq;
      const text = lines.map((l) => `${l.ts.toISOString()} ${l.level.toUpperCase().padEnd(5)} ${l.message}${l.data ? " " + l.data : ""}\n`).join("");
      controller.enqueue(encoder.encode(text));
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="task-${run.taskId}-run-${run.id}-attempt-${run.attempt}.log"`,
    },
  });
});
