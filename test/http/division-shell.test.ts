// The division page as most requests get it: the prerendered shell, served by the proxy under the page's own
// address once the access gate has let the person in. It must hold nothing of any person or division (the
// same bytes for everyone), answer only where the page would answer 200, and leave every other answer to
// the page rendered per request (the statuses themselves: authorization-matrix.test.ts).
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { SHELL_MARKER } from "@/lib/client/division-users";
import { currentStaffSchema } from "@/lib/shared/contract";
import { parseBody } from "@/test/support/bff-bodies";
import { signIn, type CookieJar } from "@/test/support/http-session";
import { send, sendText, startHttpStack, type Stack } from "@/test/support/http-stack";

const { acme: ACME, globex: GLOBEX, initech: INITECH } = DEMO.divisions;

describe("the division shell", () => {
  let stack: Stack;
  let app: string;
  let jars: Record<"ana" | "ben" | "admin", CookieJar>;

  beforeAll(async () => {
    stack = await startHttpStack(3287);
    app = stack.appUrl;
    const [ana, ben, admin] = await Promise.all([DEMO.staff.ana.email, DEMO.staff.ben.email, DEMO.staff.admin.email].map((email) => signIn(app, email)));
    jars = { ana: ana!.jar, ben: ben!.jar, admin: admin!.jar };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const page = (id: string, jar: CookieJar) => sendText(`${app}/divisions/${id}`, { jar });
  test("the first division page after a start is rendered per request, each script with its nonce; the next is the shell", async () => {
    // The proxy decides only with the staff resolver and division service the app has made (auth/page-access.ts).
    const first = await page(GLOBEX, jars.ben);
    expect(first.status).toBe(200);
    const nonce = /'nonce-([^']+)'/.exec(first.headers.get("content-security-policy") ?? "")?.[1];
    expect(nonce).toBeTruthy();
    const tags = [...first.text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(tags.length).toBeGreaterThan(1);
    for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
    // It names the division (rendered for Ben); the shell names nothing.
    expect(first.text).toContain("Globex");
    const second = await page(GLOBEX, jars.ben);
    expect(second.status).toBe(200);
    expect(second.headers.get("content-security-policy")).not.toContain("'nonce-");
    expect(second.text).not.toContain("Globex");
    // Only the shell's document has the marker its code primes the users query by: the page rendered per
    // request is hydrated with its view, which must first render without rows, as its server did.
    expect(second.text).toContain(`${SHELL_MARKER}=""`);
    expect(first.text).not.toContain(SHELL_MARKER);
  });

  test("is the same bytes for every person and division, naming none of them", async () => {
    const bodies = await Promise.all([page(GLOBEX, jars.ben), page(INITECH, jars.ben), page(GLOBEX, jars.admin), page(ACME, jars.ana), page(GLOBEX.toUpperCase(), jars.ben)]);
    for (const res of bodies) expect(res.status).toBe(200);
    expect(new Set(bodies.map((r) => r.text)).size).toBe(1);
    const html = bodies[0]?.text ?? "";
    for (const name of ["Globex", "Initech", "Acme", "Umbrella", "Stark", DEMO.staff.ben.email, DEMO.staff.admin.email, "Ben", GLOBEX]) expect(html).not.toContain(name);
    // The shell starts the users request itself, as the page rendered per request does.
    expect(html).toContain("/api/divisions/");
  });

  test("is reachable only through the proxy: its own address answers 404", async () => {
    for (const jar of [jars.ben, null]) expect((await send(`${app}/division-shell`, { jar })).status).toBe(404);
  });

  test("who is signed in comes from /api/me, and only for a session", async () => {
    const me = await sendText(`${app}/api/me`, { jar: jars.admin });
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBe("private, no-store");
    expect(parseBody(currentStaffSchema, me.text)).toEqual({ name: DEMO.staff.admin.name, email: DEMO.staff.admin.email, role: "admin" });
    expect(parseBody(currentStaffSchema, (await sendText(`${app}/api/me`, { jar: jars.ben })).text).role).toBe("manager");
    expect((await send(`${app}/api/me`)).status).toBe(401);
    expect((await send(`${app}/api/me?x=1`, { jar: jars.ben })).status).toBe(400);
  });

  test("a refused, unknown or malformed division still gets the page rendered per request, with its status", async () => {
    for (const [id, status] of [
      [GLOBEX, 403],
      ["00000000-0000-4000-8000-000000000000", 403],
      ["not-an-id", 404],
    ] as const) {
      const res = await page(id, jars.ana);
      expect(res.status, id).toBe(status);
      expect(res.headers.get("content-security-policy"), id).toContain("'nonce-");
    }
  });
});
