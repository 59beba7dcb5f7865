/** Reading a Server-Sent Events body in tests: frames parsed as the standard defines them. */

/** One event as EventSource would dispatch it. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/** A reader of an event-stream body, event by event. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private readonly queue: SseEvent[] = [];
  /** Comment lines seen (keepalives). */
  comments = 0;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** The next event, or null when none arrives within `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<SseEvent | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), left))),
      ]).finally(() => clearTimeout(timer));
      if (chunk === "timeout") return null;
      if (chunk.done) return null;
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
      this.parse();
    }
    return this.queue.shift() ?? null;
  }

  /** Events until one matches `pred` (returned with everything before it), or throws after `timeoutMs`. */
  async until(pred: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent[]> {
    const seen: SseEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await this.next(Math.max(1, deadline - Date.now()));
      if (!e) throw new Error(`no matching event within ${timeoutMs} ms; got ${seen.map((s) => s.event).join(", ") || "nothing"}`);
      seen.push(e);
      if (pred(e)) return seen;
    }
  }

  /** Stops reading (the server sees the stream cancelled). */
  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private parse(): void {
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = "message";
      let id: string | null = null;
      const data: string[] = [];
      let any = false;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) {
          this.comments++;
          continue;
        }
        const i = line.indexOf(":");
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id") id = value;
        else continue;
        any = any || field === "data";
      }
      if (any) this.queue.push({ event, data: data.join("\n"), id });
    }
  }
}
