// What a sign-out ends, beyond the browser's cookie: /api/auth/session stops renewing any copy of it, the
// Genesys token it carried is revoked at Genesys (best effort: a Genesys failure still signs out), and the
// sign-out is kept on disk, so a restart of the app does not bring a copied cookie back to life.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { decode, encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { startApp, type RunningApp } from "@/scripts/stack";
import { CookieJar, signIn, signOut } from "@/test/support/http-session";
import { errorCode, send, sendText } from "@/test/support/http-stack";

const APP_PORT = 3221;
const SESSION_COOKIE = "next-auth.session-token";
const NEXTAUTH_SECRET = randomBytes(32).toString("base64url");

let emulator: RunningEmulator;
let app: RunningApp;
let dir: string;

/** Same secret and same sign-out file on every start, as a restarted deployment has. */
function start(): Promise<RunningApp> {
  return startApp({ appPort: APP_PORT, emulatorUrl: emulator.url, captureLogs: true, env: { NEXTAUTH_SECRET, SESSION_DB_PATH: path.join(dir, "sessions.sqlite") } });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-sign-out-"));
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  app = await start();
});

afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The staff member's Genesys access token sealed in the session cookie. */
async function genesysTokenOf(jar: CookieJar): Promise<string> {
  const token = await decode({ token: jar.get(SESSION_COOKIE) ?? "", secret: NEXTAUTH_SECRET });
  const accessToken = token?.genesys?.accessToken;
  if (!accessToken) throw new Error("no Genesys token in the session cookie");
  return accessToken;
}

/** What Genesys (the emulator) answers to that token. */
async function genesysStatus(accessToken: string): Promise<number> {
  const res = await fetch(`${emulator.url}/api/v2/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.body?.cancel();
  return res.status;
}

/** /api/auth/session as the browser asks it: the body, and what it does to the session cookie. */
async function askSession(jar: CookieJar): Promise<{ body: unknown; sessionCookies: string[] }> {
  const res = await send(`${app.appUrl}/api/auth/session`, { jar });
  expect(res.status).toBe(200);
  return { body: await res.json(), sessionCookies: res.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION_COOKIE}=`)) };
}

function expectExpiredOnly(sessionCookies: string[]): void {
  expect(sessionCookies.length).toBeGreaterThan(0);
  for (const c of sessionCookies) expect(c).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`, "i"));
}

/** Signs `jar` out while every Genesys API call answers 5xx, so the token revocation fails. */
async function signOutWhileGenesysFails(jar: CookieJar): Promise<void> {
  emulator.setFaults({ p5xx: 1 });
  try {
    expect(await signOut(app.appUrl, jar)).toBeLessThan(400);
  } finally {
    emulator.setFaults({ p5xx: 0 });
  }
}

describe("/api/auth/session", () => {
  test("answers a signed-out copy of the cookie as signed out and expires it, never re-issuing it", async () => {
    const { jar } = await signIn(app.appUrl, DEMO.staff.ana.email);
    const copy = jar.clone();
    const live = await askSession(copy.clone());
    expect(live.body).toMatchObject({ user: { email: DEMO.staff.ana.email } });
    expect(live.sessionCookies.some((c) => !/Max-Age=0/i.test(c))).toBe(true);

    expect(await signOut(app.appUrl, jar)).toBeLessThan(400);
    const after = await askSession(copy);
    expect(after.body).toEqual({});
    expectExpiredOnly(after.sessionCookies);
    expect(copy.get(SESSION_COOKIE)).toBeUndefined();
  });

  test("answers a session whose Genesys sign-in does not work as signed out, with the cookie expired", async () => {
    const stranger = randomUUID();
    const sealed = await encode({
      token: {
        sid: randomUUID(),
        signedInAt: Math.floor(Date.now() / 1000),
        genesys: { userId: stranger, email: "x@northwind.example", name: "X", accessToken: "made-up-access-token", accessTokenExpiresAt: Date.now() + 3_600_000 },
      },
      secret: NEXTAUTH_SECRET,
    });
    const jar = new CookieJar();
    jar.set(SESSION_COOKIE, sealed);
    const answer = await askSession(jar);
    expect(answer.body).toEqual({});
    expectExpiredOnly(answer.sessionCookies);
  });
});

describe("sign-out and the Genesys token", () => {
  test("signing out revokes the staff member's Genesys token: Genesys refuses it afterwards", async () => {
    const { jar } = await signIn(app.appUrl, DEMO.staff.ben.email);
    const accessToken = await genesysTokenOf(jar);
    expect(await genesysStatus(accessToken)).toBe(200);
    const revocations = () => emulator.stats().byOperation.deleteTokensMe?.[200] ?? 0;
    const before = revocations();

    expect(await signOut(app.appUrl, jar)).toBeLessThan(400);
    expect(revocations()).toBe(before + 1);
    expect(await genesysStatus(accessToken)).toBe(401);
    // Only that sign-in's token: the same person signing in again works as before.
    const again = await signIn(app.appUrl, DEMO.staff.ben.email);
    expect((await send(`${app.appUrl}/api/divisions`, { jar: again.jar })).status).toBe(200);
  });

  test("when Genesys fails the revocation, the sign-out still completes and the failure is logged", async () => {
    const { jar } = await signIn(app.appUrl, DEMO.staff.ana.email);
    const copy = jar.clone();
    const accessToken = await genesysTokenOf(jar);
    const logsBefore = app.logs().length;

    await signOutWhileGenesysFails(jar);
    const api = await sendText(`${app.appUrl}/api/divisions`, { jar: copy });
    expect(`${api.status} ${errorCode(api.text)}`).toBe("401 unauthenticated");
    // The revocation really failed (Genesys still takes the token), and the app says so.
    expect(await genesysStatus(accessToken)).toBe(200);
    expect(app.logs().slice(logsBefore).some((line) => line.includes("Genesys did not revoke the staff token"))).toBe(true);
  });
});

describe("sign-outs across a restart", () => {
  test("a copy of a signed-out cookie is still refused after the app restarts", async () => {
    const { jar } = await signIn(app.appUrl, DEMO.staff.ana.email);
    const copy = jar.clone();
    const accessToken = await genesysTokenOf(jar);
    // With the Genesys revocation failing, only the app's own record of the sign-out stands in the way.
    await signOutWhileGenesysFails(jar);
    expect((await send(`${app.appUrl}/api/divisions`, { jar: copy.clone() })).status).toBe(401);

    await app.stop();
    app = await start();

    expect(await genesysStatus(accessToken)).toBe(200);
    const api = await sendText(`${app.appUrl}/api/divisions`, { jar: copy.clone() });
    expect(`${api.status} ${errorCode(api.text)}`).toBe("401 unauthenticated");
    const page = await send(`${app.appUrl}/divisions/${DEMO.divisions.acme}`, { jar: copy.clone() });
    expect(page.status).toBe(307);
    expect(new URL(page.headers.get("location") ?? "", app.appUrl).pathname).toBe("/signin");
    const session = await askSession(copy);
    expect(session.body).toEqual({});
    expectExpiredOnly(session.sessionCookies);

    // Signing in again works as before.
    const again = await signIn(app.appUrl, DEMO.staff.ana.email);
    expect((await send(`${app.appUrl}/api/divisions`, { jar: again.jar })).status).toBe(200);
  });
});
