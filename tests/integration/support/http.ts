/**
 * A local HTTP server for a test file's fixtures (the sources crawl and feed jobs read),
 * started before the file's tests and closed after them.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

/** Answers for a handler: a body with its content type, or a JSON value. */
export interface Reply {
  send(body: string, type: string, status?: number): void;
  json(value: unknown, status?: number): void;
  /** The response itself, for answers the two above cannot give (redirects, streams, silence). */
  raw: http.ServerResponse;
}

/** The running server: its base URL (once started) and how often each URL (path and query) was requested. */
export interface FixtureServer {
  readonly base: string;
  readonly hits: Map<string, number>;
}

/** Serves `handle(url, reply)` on 127.0.0.1 for the tests of the calling file; the hit is counted before `handle` runs. */
export function fixtureServer(handle: (url: string, reply: Reply) => void): FixtureServer {
  const hits = new Map<string, number>();
  let base = "";
  const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const send = (body: string, type: string, status = 200) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    handle(url, { send, json: (value, status = 200) => send(JSON.stringify(value), "application/json", status), raw: res });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections(); // a fixture that never answers must not hold the close
        server.close(() => r());
      }),
  );
  return {
    get base() {
      return base;
    },
    hits,
  };
}
