// The warm users route serves bytes made once per cached result and role: brotli or gzip as the request
// accepts, a strong ETag that names the viewer, 304 without a body for the same viewer's copy, and nothing
// any cache may keep. And the compact wire form: a 12,000-user division in well under half the bytes; and
// the page that reads it loads no more than its JavaScript budget before it can show them.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { firstLoadJs } from "@/scripts/measure-first-load";
import { divisionUsersPayloadSchema } from "@/lib/shared/contract";
import { parseBody } from "@/test/support/bff-bodies";
import { signIn, type CookieJar } from "@/test/support/http-session";
import { memberIds, send, sendText, startHttpStack, type Stack } from "@/test/support/http-stack";

const { globex: GLOBEX, umbrella: UMBRELLA } = DEMO.divisions;

describe("the warm users route", () => {
  let stack: Stack;
  let app: string;
  let admin: CookieJar;
  let ben: CookieJar;

  beforeAll(async () => {
    stack = await startHttpStack(3236, { FORCE_REFRESH_MIN_INTERVAL_SECONDS: "0" });
    app = stack.appUrl;
    [admin, ben] = await Promise.all([signIn(app, DEMO.staff.admin.email), signIn(app, DEMO.staff.ben.email)]).then((s) => s.map((x) => x.jar));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const users = (id: string) => `${app}/api/divisions/${id}/users`;

  test("each coding the browser accepts decodes to the same payload; tenant data stays private and unstored", async () => {
    expect((await send(users(GLOBEX), { jar: ben })).status).toBe(200);
    const bodies: string[] = [];
    for (const [accept, coding] of [
      ["gzip, deflate, br", "br"],
      ["gzip", "gzip"],
      ["identity", null],
    ] as const) {
      const res = await send(users(GLOBEX), { jar: ben, headers: { "accept-encoding": accept } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding"), accept).toBe(coding);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("vary")).toContain("Accept-Encoding");
      expect(res.headers.get("etag")).toMatch(/^"[\w-]+\.[\w-]+\.[a-z]+"$/);
      bodies.push(await res.text());
    }
    expect(new Set(bodies).size).toBe(1);
    const payload = parseBody(divisionUsersPayloadSchema, bodies[0] ?? "");
    expect(new Set(payload.users.map((u) => u.id))).toEqual(new Set(await memberIds(stack.emulator.url, GLOBEX)));
  });

  test("a 304 without a body for the same viewer's ETag; someone else's ETag or a new version gets the body", async () => {
    const first = await send(users(GLOBEX), { jar: ben, headers: { "accept-encoding": "br" } });
    const etag = first.headers.get("etag") ?? "";
    await first.arrayBuffer();
    const again = await sendText(users(GLOBEX), { jar: ben, headers: { "accept-encoding": "br", "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.get("cache-control")).toBe("private, no-store");
    // The admin's browser presenting Ben's validator (a shared machine, a copied header) is not told "unchanged".
    const other = await send(users(GLOBEX), { jar: admin, headers: { "accept-encoding": "br", "if-none-match": etag } });
    expect(other.status).toBe(200);
    expect(other.headers.get("etag")).not.toBe(etag);
    await other.arrayBuffer();
    // Signed out with a valid validator: still refused, never a 304.
    expect((await sendText(users(GLOBEX), { headers: { "if-none-match": etag } })).status).toBe(401);
    // A refetch is a new version: the old validator no longer matches.
    expect((await sendText(users(GLOBEX), { jar: ben, method: "POST" })).status).toBe(200);
    const refreshed = await send(users(GLOBEX), { jar: ben, headers: { "accept-encoding": "br", "if-none-match": etag } });
    expect(refreshed.status).toBe(200);
    await refreshed.arrayBuffer();
  });

  test("the compact wire form: Umbrella in well under half the bytes of one object per user", async () => {
    const res = await sendText(users(UMBRELLA), { jar: admin, headers: { "accept-encoding": "identity" } });
    expect(res.status).toBe(200);
    const payload = parseBody(divisionUsersPayloadSchema, res.text);
    expect(payload.users.length).toBeGreaterThanOrEqual(12_000);
    // The same users as the objects the route used to send (username = email, the division on every row).
    const objects = JSON.stringify(
      payload.users.map((u) => ({ ...u, username: u.email, divisionId: payload.division.id, divisionName: payload.division.name })),
    );
    const wire = Buffer.byteLength(res.text);
    console.log(`[figure] Umbrella users payload: ${wire.toLocaleString("en")} B compact vs ${Buffer.byteLength(objects).toLocaleString("en")} B as objects`);
    expect(wire).toBeLessThan(Buffer.byteLength(objects) * 0.45);
  });

  test("the division page's first-load JavaScript stays within 180 kB gzip: the schemas load with the data", async () => {
    const first = await firstLoadJs(app, `/divisions/${GLOBEX}`, ben.header());
    console.log(`[figure] division page first-load JS: ${first.files} scripts, ${(first.gzip / 1024).toFixed(1)} kB gzip`);
    expect(first.gzip).toBeLessThanOrEqual(180 * 1024);
  });
});
