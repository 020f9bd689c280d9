import { gunzipSync, brotliDecompressSync } from "node:zlib";

import { describe, expect, it, vi } from "vitest";

import { encodeBody, encodedResponse, EncodedBodies } from "@/lib/server/http/encoded-body";

// Only the secret the ETag's viewer part is keyed with.
vi.mock("@/lib/server/platform", () => ({ getAuthEnv: () => ({ nextAuthSecret: "test-secret-for-etags" }) }));

const TEXT = JSON.stringify({ users: Array.from({ length: 2_000 }, (_, i) => [`id-${i}`, `Name ${i}`, `n${i}@x.example`, i % 7, i % 3, 1]) });

/** A request as server/index.mjs hands it on: announcing that it passes a precompressed body's coding on. */
function get(headers: Record<string, string> = {}): Request {
  return new Request("http://app.test/api/divisions/x/users", { headers: { "x-tenantscope-precompressed": "1", ...headers } });
}

describe("encodedResponse", () => {
  it("answers the smallest coding the request accepts, each decoding to the same bytes", async () => {
    const body = encodeBody(TEXT);
    const br = await encodedResponse(get({ "accept-encoding": "gzip, deflate, br" }), body, "user-1");
    expect(br.headers.get("x-tenantscope-precompressed")).toBe("br");
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(TEXT);
    const gz = await encodedResponse(get({ "accept-encoding": "gzip;q=1, br;q=0" }), body, "user-1");
    expect(gz.headers.get("x-tenantscope-precompressed")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(TEXT);
    const plain = await encodedResponse(get(), body, "user-1");
    expect(plain.headers.get("x-tenantscope-precompressed")).toBeNull();
    expect(await plain.text()).toBe(TEXT);
    for (const res of [br, gz, plain]) {
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("vary")).toBe("Accept-Encoding");
    }
    // Different representations, different strong validators.
    expect(new Set([br, gz, plain].map((r) => r.headers.get("etag"))).size).toBe(3);
  });

  it("answers 304 without a body to the same viewer's validator, in any coding, and 200 to anyone else's", async () => {
    const body = encodeBody(TEXT);
    const first = await encodedResponse(get({ "accept-encoding": "br" }), body, "user-1");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[\w-]+\.[\w-]+\.br"$/);
    const again = await encodedResponse(get({ "accept-encoding": "gzip", "if-none-match": etag }), body, "user-1");
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("cache-control")).toBe("private, no-store");
    // Someone else presenting that validator (a shared browser, a copied header) gets the full body.
    const other = await encodedResponse(get({ "accept-encoding": "br", "if-none-match": etag }), body, "user-2");
    expect(other.status).toBe(200);
    expect(other.headers.get("etag")).not.toBe(etag);
    // A changed body is never "not modified".
    const changed = await encodedResponse(get({ "if-none-match": etag }), encodeBody(TEXT.replace("Name 1", "Name X")), "user-1");
    expect(changed.status).toBe(200);
    expect((await encodedResponse(get({ "if-none-match": `W/${etag}, "other"` }), body, "user-1")).status).toBe(304);
  });

  it("does not compress a small body, nor anything when the server in front did not announce it passes the coding on", async () => {
    const res = await encodedResponse(get({ "accept-encoding": "br" }), encodeBody('{"a":1}'), "user-1");
    expect(res.headers.get("x-tenantscope-precompressed")).toBeNull();
    expect(await res.text()).toBe('{"a":1}');
    const unannounced = new Request("http://app.test/x", { headers: { "accept-encoding": "br, gzip" } });
    const plain = await encodedResponse(unannounced, encodeBody(TEXT), "user-1");
    expect(plain.headers.get("x-tenantscope-precompressed")).toBeNull();
    expect(await plain.text()).toBe(TEXT);
  });
});

describe("EncodedBodies", () => {
  it("serialises once per object and variant, and again for a new object", () => {
    const bodies = new EncodedBodies<object>();
    const make = vi.fn(() => TEXT);
    const version = {};
    const a = bodies.get(version, "manager", make);
    expect(bodies.get(version, "manager", make)).toBe(a);
    expect(make).toHaveBeenCalledTimes(1);
    expect(bodies.get(version, "admin", make)).not.toBe(a);
    expect(bodies.get({}, "manager", make)).not.toBe(a);
    expect(make).toHaveBeenCalledTimes(3);
  });
});
