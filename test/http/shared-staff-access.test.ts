import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { startApp, type RunningApp } from "@/scripts/stack";

import { get, signIn, signOut, type CookieJar } from "../support/http-session";
import { startRedis, type RedisServer } from "../support/redis-server";

// Two `npm start` instances behind one Redis (each with its own sign-out file, as on two hosts): a session's
// staff access is read from Genesys once for both, they re-read it at the same moment, a sign-out on one is
// honoured by the other at once, and a signed-out session's Genesys token is never used for another session.

const STAFF = DEMO.clients.staffLogin.id;
const PERMITTED = "getAuthorizationDivisionspermittedPagedMe";
const WINDOW_S = 3;
const PORTS = [3280, 3281] as const;

let redis: RedisServer;
let emulator: RunningEmulator;
let dir: string;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  redis = await startRedis();
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-staff-share-"));
  const env = {
    REDIS_URL: redis.url,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    AUDIT_DB_PATH: path.join(dir, "audit.sqlite"),
    STAFF_DIVISIONS_REFRESH_SECONDS: String(WINDOW_S),
  };
  const started = await Promise.allSettled(PORTS.map((appPort) => startApp({ appPort, emulatorUrl: emulator.url, env })));
  for (const s of started) if (s.status === "rejected") throw s.reason;
  [a, b] = started.map((s) => (s as PromiseFulfilledResult<RunningApp>).value) as [RunningApp, RunningApp];
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await emulator?.stop();
  await redis?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * API calls made with staff tokens (the BFF's own calls, which include its grants read once a minute, use
 * another client); on /api/divisions each one is an access read. Access reads refused as unauthorised, and
 * staff tokens issued (a refresh grant).
 */
function staffCalls(): { calls: number; refused: number; refreshed: number } {
  const s = emulator.stats();
  return { calls: s.byClient[STAFF] ?? 0, refused: s.byOperation[PERMITTED]?.["401"] ?? 0, refreshed: s.tokensByClient[STAFF] ?? 0 };
}

async function statusOn(app: RunningApp, jar: CookieJar): Promise<number> {
  const res = await get(`${app.appUrl}/api/divisions`, jar);
  await res.arrayBuffer();
  return res.status;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordFigures(figures: Record<string, number>): void {
  const file = path.resolve("test-results", "staff-access-figures.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ "one session, 2 instances, 10 requests after the refresh window": figures }, null, 2) + "\n");
}

describe("staff access shared by two instances through Redis", () => {
  it("a session's access re-read happens once for both instances, at the same moment", async () => {
    const { jar } = await signIn(a.appUrl, DEMO.staff.ben.email);
    // Read by A on the session's first request; B then serves the same record without asking Genesys.
    emulator.resetStats();
    expect(await statusOn(a, jar)).toBe(200);
    const first = staffCalls();
    expect(await statusOn(b, jar)).toBe(200);
    const served = staffCalls().calls - first.calls;
    // Past the refresh window both instances find the record due; asked at once, one of them re-reads.
    await sleep(WINDOW_S * 1000 + 200);
    emulator.resetStats();
    const started = Date.now();
    const round = await Promise.all(Array.from({ length: 10 }, (_, i) => statusOn(i % 2 ? b : a, jar)));
    const after = await Promise.all([statusOn(a, jar), statusOn(b, jar)]);
    const elapsed = Date.now() - started;
    expect(round).toEqual(Array(10).fill(200));
    expect(after).toEqual([200, 200]);
    expect(elapsed).toBeLessThan(WINDOW_S * 1000);
    const reread = staffCalls();
    recordFigures({ firstReadOnA: first.calls, staffCallsServingB: served, staffCallsAfterWindow: reread.calls, ms: elapsed });
    expect(first.calls).toBe(1);
    expect(served).toBe(0);
    expect(reread).toEqual({ calls: 1, refused: 0, refreshed: 0 });
  }, 30_000);

  it("a sign-out on one instance is honoured on the other at once, though it holds the session's access", async () => {
    const { jar } = await signIn(a.appUrl, DEMO.staff.ana.email);
    const copy = jar.clone();
    expect(await statusOn(b, copy)).toBe(200);
    expect(await signOut(a.appUrl, jar)).toBeLessThan(400);
    emulator.resetStats();
    expect(await statusOn(b, copy)).toBe(401);
    expect(await statusOn(a, copy)).toBe(401);
    // Refused before any Genesys call: the signed-out (and revoked) token was not tried.
    expect(staffCalls().calls).toBe(0);
  });

  it("a signed-out session's Genesys token is never used for the same person's other session", async () => {
    // The older session first, then the newer one a second later (tokens expire a second apart); both used on B.
    const older = (await signIn(b.appUrl, DEMO.staff.ben.email)).jar;
    await sleep(1_100);
    const newer = (await signIn(b.appUrl, DEMO.staff.ben.email)).jar;
    const newerCopy = newer.clone();
    expect([await statusOn(b, older), await statusOn(b, newer)]).toEqual([200, 200]);
    // The newer session signs out on A: Genesys revokes its token. B is told only through Redis.
    expect(await signOut(a.appUrl, newer)).toBeLessThan(400);
    await sleep(WINDOW_S * 1000 + 200);
    emulator.resetStats();
    expect([await statusOn(b, older), await statusOn(a, older)]).toEqual([200, 200]);
    const used = staffCalls();
    // One re-read with the older session's own token: no 401 from a revoked token, no refresh grant.
    expect(used).toEqual({ calls: 1, refused: 0, refreshed: 0 });
    expect([await statusOn(b, newerCopy), await statusOn(a, newerCopy)]).toEqual([401, 401]);
  }, 30_000);

  it("liveness answers without dependencies; readiness reports Redis", async () => {
    for (const app of [a, b]) {
      const live = await fetch(`${app.appUrl}/api/health/live`);
      expect([live.status, await live.json()]).toEqual([200, { status: "ok" }]);
      const ready = await fetch(`${app.appUrl}/api/health`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "ok", checks: { sharedStore: "up", upstreamToken: "ok" } });
    }
  });
});
