// A session lasts SESSION_MAX_AGE_SECONDS from sign-in: the token sealed in the cookie expires then (not after
// next-auth's default 30 days), asking /api/auth/session does not push that on, and a token whose sign-in is
// older than the lifetime is refused even when its own expiry is later (as tokens sealed before the fix were).
import { randomBytes } from "node:crypto";

import { decode, encode, type JWT } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { signIn, type CookieJar } from "@/test/support/http-session";
import { errorCode, send, sendText, startHttpStack, type Stack } from "@/test/support/http-stack";

const APP_PORT = 3220;
const LIFETIME_SECONDS = 300;
const THIRTY_DAYS = 30 * 86_400;
const SESSION_COOKIE = "next-auth.session-token";
const NEXTAUTH_SECRET = randomBytes(32).toString("base64url");

async function sessionToken(jar: CookieJar): Promise<JWT> {
  const token = await decode({ token: jar.get(SESSION_COOKIE) ?? "", secret: NEXTAUTH_SECRET });
  if (!token) throw new Error("the session cookie could not be opened");
  return token;
}

function seconds(claim: unknown): number {
  if (typeof claim !== "number") throw new Error(`not a time claim: ${String(claim)}`);
  return claim;
}

describe(`sessions end ${LIFETIME_SECONDS} s after sign-in`, () => {
  let stack: Stack;
  let app: string;

  beforeAll(async () => {
    stack = await startHttpStack(APP_PORT, { NEXTAUTH_SECRET, SESSION_MAX_AGE_SECONDS: String(LIFETIME_SECONDS) });
    app = stack.appUrl;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  test("the token in the cookie expires with the configured lifetime, not after next-auth's 30 days", async () => {
    const { jar } = await signIn(app, DEMO.staff.ana.email);
    const token = await sessionToken(jar);
    const lifetime = seconds(token.exp) - seconds(token.iat);
    expect(lifetime).toBeLessThanOrEqual(LIFETIME_SECONDS + 1);
    expect(lifetime).toBeGreaterThanOrEqual(LIFETIME_SECONDS - 5);
    // The session tells the browser the same end.
    const session = JSON.parse((await sendText(`${app}/api/auth/session`, { jar })).text) as { expires: string };
    expect(Math.abs(Date.parse(session.expires) / 1000 - seconds(token.exp))).toBeLessThanOrEqual(1);
  });

  test("asking for the session again re-seals the cookie but does not move its end", async () => {
    const { jar } = await signIn(app, DEMO.staff.ben.email);
    const before = await sessionToken(jar);
    await new Promise((r) => setTimeout(r, 2_200));
    const res = await send(`${app}/api/auth/session`, { jar });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(true);
    const after = await sessionToken(jar);
    expect(seconds(after.iat)).toBeGreaterThan(seconds(before.iat));
    // Within a second (the sealing clock ticks in whole seconds); a sliding session would have moved by 2 or more.
    expect(Math.abs(seconds(after.exp) - seconds(before.exp))).toBeLessThanOrEqual(1);
  });

  test("a token signed in longer ago than the lifetime is refused, although it is sealed to expire in 30 days", async () => {
    const { jar } = await signIn(app, DEMO.staff.ana.email);
    expect((await send(`${app}/api/divisions`, { jar })).status).toBe(200);
    const real = await sessionToken(jar);
    const now = Math.floor(Date.now() / 1000);
    // Same sign-in, same working Genesys token: only its age differs.
    const old = await encode({ token: { ...real, signedInAt: now - LIFETIME_SECONDS - 60 }, secret: NEXTAUTH_SECRET, maxAge: THIRTY_DAYS });
    const stale = jar.clone();
    stale.set(SESSION_COOKIE, old);

    const api = await sendText(`${app}/api/divisions`, { jar: stale.clone() });
    expect(`${api.status} ${errorCode(api.text)}`).toBe("401 unauthenticated");
    const page = await send(`${app}/divisions/${DEMO.divisions.acme}`, { jar: stale.clone() });
    expect(page.status).toBe(307);
    expect(new URL(page.headers.get("location") ?? "", app).searchParams.get("error")).toBe("SessionExpired");
    const session = await sendText(`${app}/api/auth/session`, { jar: stale });
    expect(JSON.parse(session.text)).toEqual({});
    expect(stale.get(SESSION_COOKIE)).toBeUndefined();

    // The session it was made from is still young and works.
    expect((await send(`${app}/api/divisions`, { jar })).status).toBe(200);
  });
});
