import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { auditIntegritySchema, auditPageSchema, divisionUsersPayloadSchema, type DivisionUsersPayload } from "@/lib/shared/contract";
import { startApp, type RunningApp } from "@/scripts/stack";

import { errorOf, parseBody, readBody } from "../support/bff-bodies";
import { get, signIn, signOut, type CookieJar } from "../support/http-session";
import { memberIds } from "../support/http-stack";
import { startRedis, type RedisServer } from "../support/redis-server";

// Two app instances (two `npm start` processes on two ports) behind one Redis and one Genesys: what they
// share (token, cache, single-flight, budget, sign-outs, audit file), and how they carry on when Redis dies.

const BFF = DEMO.clients.bff.id;
/** The operations only the BFF's division fetch makes (staff sessions never call them). */
const FETCH_OPS = ["getAuthorizationDivision", "postUsersSearch", "getUsers"] as const;

let redis: RedisServer;
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-scale-out-"));
});

afterAll(async () => {
  await emulator?.stop();
  await redis?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Two instances as a load balancer would see them: same secrets, same Redis, same audit file. */
async function startPair(ports: [number, number], env: Record<string, string> = {}): Promise<[RunningApp, RunningApp]> {
  const shared = {
    REDIS_URL: redis.url,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    AUDIT_DB_PATH: path.join(dir, `audit-${ports[0]}.sqlite`),
    LOG_LEVEL: "warn",
    ...env,
  };
  const started = await Promise.allSettled(ports.map((appPort) => startApp({ appPort, emulatorUrl: emulator.url, env: shared, captureLogs: true })));
  const apps = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (apps.length !== 2) {
    await Promise.all(apps.map((a) => a.stop()));
    throw new Error(`an instance did not start: ${started.map((s) => (s.status === "rejected" ? String(s.reason) : "ok")).join("; ")}`);
  }
  return [apps[0] as RunningApp, apps[1] as RunningApp];
}

/** Figures for the closing note: test-results/scale-out-figures.json. */
function recordFigures(what: string, figures: Record<string, number>): void {
  const file = path.resolve("test-results", "scale-out-figures.json");
  const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...all, [what]: figures }, null, 2) + "\n");
}

function opCount(ops: readonly string[], status?: string): number {
  const { byOperation } = emulator.stats();
  return ops.reduce((sum, op) => sum + Object.entries(byOperation[op] ?? {}).reduce((n, [s, c]) => n + (status === undefined || s === status ? c : 0), 0), 0);
}

async function users(app: RunningApp, jar: CookieJar, divisionId: string): Promise<{ status: number; body: DivisionUsersPayload }> {
  const res = await get(`${app.appUrl}/api/divisions/${divisionId}/users`, jar);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${app.appUrl} answered ${res.status} (${errorOf(text).code}) for the users of ${divisionId}`);
  return { status: res.status, body: parseBody(divisionUsersPayloadSchema, text) };
}

async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function health(app: RunningApp): Promise<{ status: number; sharedStore: unknown }> {
  const res = await fetch(`${app.appUrl}/api/health`);
  const body = (await res.json()) as { checks: { sharedStore?: unknown } };
  return { status: res.status, sharedStore: body.checks.sharedStore };
}

describe("two instances sharing Redis", () => {
  let a: RunningApp;
  let b: RunningApp;
  type Jars = Record<"ben" | "ana" | "admin", CookieJar>;
  let jars: Record<"a" | "b", Jars>;

  async function signInAll(app: RunningApp): Promise<Jars> {
    return { ben: (await signIn(app.appUrl, DEMO.staff.ben.email)).jar, ana: (await signIn(app.appUrl, DEMO.staff.ana.email)).jar, admin: (await signIn(app.appUrl, DEMO.staff.admin.email)).jar };
  }

  beforeAll(async () => {
    emulator.reset();
    [a, b] = await startPair([3271, 3272]);
    jars = { a: await signInAll(a), b: await signInAll(b) };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("both instances use one client-credentials token", () => {
    // Both health checks at start-up needed a token at the same moment: one login served both.
    expect(emulator.stats().tokensByClient[BFF]).toBe(1);
  });

  it("a cold division opened on both instances at once is fetched from Genesys once", async () => {
    // What the org supports is probed on the deployment's first fetch and shared through Redis; this test
    // is about the division, so that happens first, on another division.
    expect((await users(a, jars.a.ben, DEMO.divisions.globex)).status).toBe(200);
    emulator.resetStats();
    const division = DEMO.divisions.initech;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => users(i % 2 ? b : a, (i % 2 ? jars.b : jars.a).ben, division)));
    const truth = (await memberIds(emulator.url, division)).sort();
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.users.map((u) => u.id).sort()).toEqual(truth);
    }
    const loaded = results.filter((r) => r.body.cache.freshness === "loaded");
    expect(loaded.length).toBe(10);
    const fetch = loaded[0]?.body.meta;
    // One fetch's calls. (The BFF's own grants are read once a minute per instance, not per fetch, and under
    // another operation than these.)
    expect(opCount(FETCH_OPS)).toBe(fetch?.upstreamCalls ?? 0);
    expect(opCount(["postUsersSearch"])).toBe(fetch?.searchPages);
    // Five of the ten requests went to each instance; afterwards both serve it warm, still without Genesys.
    const warm = await Promise.all([users(a, jars.a.ben, division), users(b, jars.b.ben, division)]);
    expect(warm.map((w) => w.body.cache.freshness)).toEqual(["fresh", "fresh"]);
    expect(opCount(["postUsersSearch"])).toBe(fetch?.searchPages);
    expect(emulator.stats().tokensByClient[BFF] ?? 0).toBe(0);
    recordFigures("cold Initech, 5 requests on each of 2 instances", { upstreamCalls: opCount(FETCH_OPS), oneFetch: fetch?.upstreamCalls ?? 0, searchPages: fetch?.searchPages ?? 0 });
  }, 60_000);

  it("both instances write one audit trail, with an unbroken hash chain", async () => {
    const res = await get(`${a.appUrl}/api/audit?division=${DEMO.divisions.initech}&action=division.view&limit=50`, jars.a.admin);
    expect(res.status).toBe(200);
    const page = await readBody(auditPageSchema, res);
    expect(page.events.length).toBeGreaterThanOrEqual(12);
    expect(page.events.every((e) => e.actor?.email === DEMO.staff.ben.email && (e.rows ?? 0) > 2_000)).toBe(true);
    const integrity = await get(`${b.appUrl}/api/audit/integrity`, jars.b.admin);
    expect(await readBody(auditIntegritySchema, integrity)).toMatchObject({ ok: true });
  });

  it("signing out on one instance ends the session on the other", async () => {
    const { jar } = await signIn(a.appUrl, DEMO.staff.ana.email);
    const copy = jar.clone();
    expect((await get(`${b.appUrl}/api/divisions`, copy)).status).toBe(200);
    expect(await signOut(a.appUrl, jar)).toBeLessThan(400);
    expect((await get(`${b.appUrl}/api/divisions`, copy)).status).toBe(401);
  });

  it("with Redis killed mid-run, both keep answering from in-process state, warn once, and share again when it is back", async () => {
    const globex = DEMO.divisions.globex;
    await Promise.all([users(a, jars.a.ben, globex), users(b, jars.b.ben, globex)]);
    expect((await health(a)).sharedStore).toBe("up");

    await redis.kill();
    const during = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const [app, jar, division] = i % 4 === 0 ? [a, jars.a.ana, DEMO.divisions.acme] : i % 4 === 1 ? [b, jars.b.ana, DEMO.divisions.acme] : i % 2 ? [b, jars.b.ben, globex] : [a, jars.a.ben, globex];
        return users(app, jar, division);
      }),
    );
    expect(during.map((r) => r.status)).toEqual(Array(20).fill(200));
    // Pages and sign-in keep working too.
    expect((await get(`${b.appUrl}/divisions/${globex}`, jars.b.ben)).status).toBe(200);
    expect((await signIn(b.appUrl, DEMO.staff.ben.email)).jar.header()).not.toBe("");
    for (const app of [a, b]) {
      expect(await health(app)).toEqual({ status: 200, sharedStore: "down" });
      await until(() => app.logs().some((l) => l.includes("shared store (Redis) unavailable")), 5_000, "the warning");
      expect(app.logs().filter((l) => l.includes("shared store (Redis) unavailable"))).toHaveLength(1);
      expect(app.logs().filter((l) => /"level":50/.test(l))).toEqual([]);
    }

    await redis.restart();
    // The restarted Redis is empty: each instance's first cache read finds nothing, and they load together again.
    await until(async () => (await health(a)).sharedStore === "up" && (await health(b)).sharedStore === "up", 15_000, "both instances to reconnect");
    emulator.resetStats();
    const after = await Promise.all([users(a, jars.a.ben, globex), users(b, jars.b.ben, globex)]);
    expect(after.map((r) => r.status)).toEqual([200, 200]);
    expect(opCount(["postUsersSearch"])).toBe(after[0]?.body.meta.searchPages);
  }, 90_000);
});

describe("the request budget toward Genesys, shared by two instances", () => {
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    emulator.reset();
    // 20 requests a minute for the BFF in all, and a Genesys that enforces exactly that per token.
    emulator.setFaults({ rateLimitPerMinute: 20 });
    // A key prefix of their own: the first pair's grants of the last minute are still in Redis' window.
    [a, b] = await startPair([3273, 3274], { GENESYS_REQUESTS_PER_MINUTE: "20", REDIS_KEY_PREFIX: "budget-test:" });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    emulator.reset();
  });

  it("holds across both: never more than 20 calls in the window, and no 429", async () => {
    const ben = (await signIn(a.appUrl, DEMO.staff.ben.email)).jar;
    const admin = (await signIn(b.appUrl, DEMO.staff.admin.email)).jar;
    const before = emulator.stats().byClient[BFF] ?? 0;
    // Two cold divisions needing ~300 calls between them, one on each instance.
    const abort = new AbortController();
    const pending = [
      fetch(`${a.appUrl}/api/divisions/${DEMO.divisions.initech}/users`, { headers: { cookie: ben.header() }, signal: abort.signal }).catch(() => null),
      fetch(`${b.appUrl}/api/divisions/${DEMO.divisions.umbrella}/users`, { headers: { cookie: admin.header() }, signal: abort.signal }).catch(() => null),
    ];
    // Large fetches stop short of the reserve kept for other tenants (genesys/fair-scheduler.ts): 90 % of 20.
    await until(() => (emulator.stats().byClient[BFF] ?? 0) >= 18, 20_000, "the budget to be spent");
    // Give both instances time to overspend, if they could.
    await new Promise((r) => setTimeout(r, 3_000));
    const spent = emulator.stats().byClient[BFF] ?? 0;
    abort.abort();
    await Promise.all(pending);
    const rateLimited = Object.values(emulator.stats().byOperation).reduce((n, byStatus) => n + (byStatus["429"] ?? 0), 0);
    recordFigures("budget 20/min shared by 2 instances, 2 cold divisions", { bffCallsInWindow: spent, http429: rateLimited, bffTokens: emulator.stats().tokensByClient[BFF] ?? 0 });
    expect(spent).toBeGreaterThanOrEqual(18);
    expect(spent).toBeLessThanOrEqual(20);
    expect(before).toBe(0);
    expect(rateLimited).toBe(0);
    expect(emulator.stats().tokensByClient[BFF]).toBe(1);
  }, 60_000);
});
