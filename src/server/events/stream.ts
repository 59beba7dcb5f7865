/**
 * `GET /api/events`: one Server-Sent Events stream per request, fed by this process's hub.
 * Framing is the standard's (`id:`, `event:`, `data:`, blank line); a comment line every
 * KEEPALIVE_MS keeps proxies from closing an idle stream, and `retry:` tells EventSource how
 * soon to reconnect. A client that does not read fast enough is not buffered without bound:
 * once BUFFER_BYTES wait unread, further events are dropped (log lines wait instead, so a log
 * tail never has a gap), and when the client has caught up it gets one `resync` event.
 */
import { parseTopic, type events } from "@/contracts/events";
import { HttpError } from "../errors";
import type { Input, Output } from "../route";
import { hubFor, type Subscriber } from "./hub";

/** A comment line this often on an otherwise quiet stream. */
export const KEEPALIVE_MS = Number(process.env.QTASK_EVENTS_KEEPALIVE_MS) || 15_000;
/** Unread bytes a stream may hold before it drops events. */
export const BUFFER_BYTES = 256 * 1024;
/** EventSource's reconnect delay. */
const RETRY_MS = 3_000;

const encoder = new TextEncoder();

/** One event in SSE framing (data JSON on one line: JSON.stringify never emits a raw newline). */
export function frame(event: string, data: unknown, id?: string): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The `event:` and `data:` lines of an event as bytes, made once per event object however many
 * streams send it: 50 streams watching a drain serialised and encoded every event 50 times,
 * which cost the drain a fifth of its rate on SQLite on 2 cores.
 */
const encoded = new WeakMap<object, Map<string, Uint8Array>>();
function eventBytes(event: string, data: unknown): Uint8Array {
  const make = () => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  if (typeof data !== "object" || data === null) return make();
  let byEvent = encoded.get(data);
  if (!byEvent) encoded.set(data, (byEvent = new Map()));
  let bytes = byEvent.get(event);
  if (!bytes) byEvent.set(event, (bytes = make()));
  return bytes;
}

/** The stream's verb: subscribes to the hub and answers with the open stream. */
export async function stream({ query, req }: Input<typeof events>): Promise<Output<typeof events>> {
  const topics = query.topics.map(parseTopic);
  const logTopic = topics.find((t) => t.kind === "logs");
  const header = req.headers.get("last-event-id");
  let afterSeq = query.after_seq ?? null;
  if (header !== null && logTopic) {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(header.trim())) throw new HttpError("invalid_input", "Last-Event-ID must be the seq of the last log line received");
    afterSeq = Number(header.trim());
  }
  const hub = await hubFor();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let behind = false;
  let closed = false;
  let keepalive: NodeJS.Timeout | null = null;
  const push = (text: string) => controller.enqueue(encoder.encode(text));
  // Ids: on a stream with a log topic every event carries the last log seq sent, so whatever
  // event came last, Last-Event-ID resumes the log; other streams number their events.
  let n = 0;
  const idOf = () => (sub.logs ? String(sub.logs.after ?? 0) : String(++n));
  const room = () => (controller.desiredSize ?? 0) > 0;
  const sub: Subscriber = {
    topics,
    filter: { queue: query.queue, type: query.type, batchId: query.batch_id },
    logs: logTopic && logTopic.kind === "logs" ? { runId: logTopic.runId, after: null, ended: false } : null,
    send(event, data, id) {
      if (closed) return false;
      if (!room()) {
        if (event !== "log") behind = true;
        return false;
      }
      if (behind) {
        behind = false;
        push(frame("resync", { reason: "the client read too slowly; events were dropped" }, idOf()));
      }
      controller.enqueue(encoder.encode(`id: ${id ?? idOf()}\n`));
      controller.enqueue(eventBytes(event, data));
      return true;
    },
  };
  const close = () => {
    if (closed) return;
    closed = true;
    if (keepalive) clearInterval(keepalive);
    hub.remove(sub);
    try {
      controller.close();
    } catch {
      // already closed by the reader
    }
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        close();
      },
    },
    { highWaterMark: BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );
  req.signal?.addEventListener("abort", close);
  await hub.add(sub, afterSeq);
  push(`retry: ${RETRY_MS}\n\n`);
  push(frame("hello", { topics: query.topics, keepalive_ms: KEEPALIVE_MS, source: hub.sourceKind ?? "poll" }, idOf()));
  keepalive = setInterval(() => {
    if (closed) return;
    if (room()) push(`: keepalive ${new Date().toISOString()}\n\n`);
    if (behind && room()) {
      behind = false;
      push(frame("resync", { reason: "the client read too slowly; events were dropped" }, idOf()));
    }
  }, KEEPALIVE_MS);
  keepalive.unref?.();
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // nginx: do not buffer this response (the README's proxy section says the same for the config).
      "x-accel-buffering": "no",
      connection: "keep-alive",
    },
  });
}
