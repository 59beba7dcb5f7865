/**
 * The line protocol a script speaks on stdout (or stderr): a line `::qtask:: {json}` is not
 * logged as text but read as one message —
 *   {"progress": 40, "message": "…"}                  progress 0–100
 *   {"log": "warn", "message": "…", "data": {…}}      a structured log line
 *   {"result": {…}}                                   the task's result
 *   {"rows": [{"key": "…", "data": {…}}]}             result rows (upserted by key)
 *   {"fail_permanently": "reason"}                    fail without retrying, whatever the exit code
 * A line that starts with the marker but is not one of these is logged as text with a warning.
 */
import { z } from "zod";

/** What starts a protocol line. */
export const MARKER = "::qtask::";

const Message = z.union([
  z.object({ progress: z.number().finite(), message: z.string().max(500).optional() }).strict(),
  z.object({ log: z.enum(["debug", "info", "warn", "error"]), message: z.string(), data: z.unknown().optional() }).strict(),
  z.object({ result: z.unknown() }).strict(),
  z
    .object({
      rows: z.array(z.object({ key: z.union([z.string().min(1).max(500), z.number()]), data: z.unknown() }).strict()).max(10_000),
    })
    .strict(),
  z.object({ fail_permanently: z.string().min(1).max(2_000) }).strict(),
]);
export type ProtocolMessage = z.infer<typeof Message>;

/** A protocol line read: the message, or why it is not one. Null for a line without the marker. */
export function readProtocolLine(line: string): { message: ProtocolMessage } | { problem: string } | null {
  if (!line.startsWith(MARKER)) return null;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(MARKER.length));
  } catch {
    return { problem: "not JSON" };
  }
  const parsed = Message.safeParse(value);
  if (!parsed.success) return { problem: "not one of progress, log, result, rows, fail_permanently" };
  return { message: parsed.data };
}
