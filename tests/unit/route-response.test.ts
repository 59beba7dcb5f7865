/** The route wrapper checks answers against their endpoint's response schema (src/server/route.ts). */
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { endpoint } from "@/contracts/endpoint";
import { checkResponse, route } from "@/server/route";

const thing = endpoint({
  method: "GET",
  path: "/api/things/{id}",
  role: "public",
  tag: "system",
  summary: "a thing",
  params: z.object({ id: z.string() }),
  response: z.object({ thing: z.object({ id: z.string(), tags: z.array(z.object({ name: z.string() })) }), extra: z.unknown() }),
});

describe("answers against their documented schema", () => {
  it("lets a matching answer through, with anything inside a field documented as unknown", () => {
    expect(() => checkResponse(thing, { thing: { id: "1", tags: [{ name: "a" }] }, extra: { anything: [1, 2] } })).not.toThrow();
  });

  it("refuses an answer of the wrong shape, naming the field", () => {
    expect(() => checkResponse(thing, { thing: { id: 1, tags: [] }, extra: null })).toThrow(/thing\.id/);
  });

  it("refuses an answer with a field the schema does not document, however deep", () => {
    expect(() => checkResponse(thing, { thing: { id: "1", tags: [{ name: "a", colour: "red" }] }, extra: null })).toThrow(/thing\.tags\[0\]\.colour/);
    // A field whose value is undefined never reaches the client: not a difference.
    expect(() => checkResponse(thing, { thing: { id: "1", tags: [], note: undefined }, extra: null })).not.toThrow();
  });

  it("turns a drifted answer into a 500 with the envelope, in tests", async () => {
    const handler = route(thing, async () => ({ json: { thing: { id: "1", tags: [] }, extra: null, secret: "x" } as never }));
    const res = await handler(new Request("http://127.0.0.1/api/things/1"), { params: Promise.resolve({ id: "1" }) });
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe("internal");
  });
});
