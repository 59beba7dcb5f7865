/**
 * LISTEN on PostgreSQL channels over a dedicated connection that reconnects with backoff
 * (250 ms doubling to 10 s). `onConnected` runs after every (re)connect: whatever was notified
 * while nobody listened has to be looked for. Used by the worker's wake-ups and the web
 * server's event stream.
 */
import pg from "pg";

/** An open listener. */
export interface Listener {
  close(): Promise<void>;
}

/** Listens on `channels` of the database at `url`. */
export function listenChannels(
  url: string,
  channels: string[],
  on: {
    notification(channel: string, payload: string | undefined): void;
    connected(): void;
    /** Runs on each new connection after its LISTEN, before connected() (a failure reconnects). */
    setup?(client: pg.Client): Promise<void>;
    /** The connection was lost (its session, and whatever it held, is gone). */
    lost?(): void;
  },
  log: (m: string) => void,
  what: string,
): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let delay = 250;
  let timer: NodeJS.Timeout | null = null;
  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, 10_000);
  };
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on("error", (err) => {
      log(`${what} connection lost (${err.message}); reconnecting`);
      void c.end().catch(() => undefined);
      if (client === c) {
        client = null;
        on.lost?.();
      }
      retry();
    });
    c.on("notification", (n) => on.notification(n.channel, n.payload));
    try {
      await c.connect();
      await c.query(channels.map((ch) => `LISTEN ${ch}`).join("; "));
      await on.setup?.(c);
      if (closed) return void (await c.end());
      client = c;
      delay = 250;
      on.connected();
    } catch (err) {
      log(`${what} connection failed (${(err as Error).message}); retrying in ${delay} ms`);
      void c.end().catch(() => undefined);
      retry();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
