import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { PgAuditStore } from "@/lib/server/audit/pg-store";
import { auditIntegritySchema, auditPageSchema } from "@/lib/shared/contract";
import { startApp, type RunningApp } from "@/scripts/stack";

import { parseBody } from "../support/bff-bodies";
import { get, signIn, type CookieJar } from "../support/http-session";
import { parseCsv } from "../support/http-stack";
import { startPostgres, type PostgresServer } from "../support/postgres-server";
import { startRedis, type RedisServer } from "../support/redis-server";

// Two `npm start` instances sharing Redis (as a multi-host deployment does) and writing one audit trail in
// PostgreSQL (AUDIT_DATABASE_URL), while PostgreSQL is
// stopped and started again under them: views go on (their events wait in each instance's disk buffer),
// /api/health says auditStore "down" meanwhile, each instance warns once, and afterwards every view answered
// 200 is in the trail exactly once, in one chain that verifies.

const PORTS = [3270, 3271] as const;
const METRICS_TOKEN = "audit-postgres-metrics-token";
/** Requests in flight per instance at any moment. */
const WORKERS = 4;

let server: PostgresServer;
let redis: RedisServer;
let databaseUrl: string;
let emulator: RunningEmulator;
let apps: RunningApp[] = [];

beforeAll(async () => {
  server = await startPostgres();
  redis = await startRedis();
  databaseUrl = await server.createDatabase("tenantscope_audit");
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  apps = await Promise.all(PORTS.map((appPort) => startApp({ appPort, emulatorUrl: emulator.url, env: { AUDIT_DATABASE_URL: databaseUrl, REDIS_URL: redis.url, LOG_LEVEL: "warn", METRICS_BEARER_TOKEN: METRICS_TOKEN }, captureLogs: true })));
}, 120_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await emulator?.stop();
  await server?.destroy();
  await redis?.stop();
});

/** The audit store's gauges in /api/metrics: whether PostgreSQL answers, events held in the disk buffer. */
async function auditGauges(app: RunningApp): Promise<{ up: number; buffered: number }> {
  const text = await (await fetch(`${app.appUrl}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  return { up: gauge("tenantscope_audit_store_up"), buffered: gauge("tenantscope_audit_buffered_events") };
}

async function auditStoreOf(app: RunningApp): Promise<unknown> {
  const res = await fetch(`${app.appUrl}/api/health`);
  const body = (await res.json()) as { checks: { auditStore?: unknown } };
  return body.checks.auditStore;
}

async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Views of a warm division on one instance, WORKERS at a time, until `stop()`; the request ids answered 200. */
function viewsUntil(app: RunningApp, jar: CookieJar, stop: () => boolean, refused: number[]): Promise<string[]> {
  const url = `${app.appUrl}/api/divisions/${DEMO.divisions.globex}/users`;
  const answered: string[] = [];
  const worker = async () => {
    while (!stop()) {
      const res = await get(url, jar);
      await res.arrayBuffer();
      if (res.status === 200) answered.push(res.headers.get("x-request-id") ?? "");
      else refused.push(res.status);
    }
  };
  return Promise.all(Array.from({ length: WORKERS }, worker)).then(() => answered);
}

describe("the audit trail in PostgreSQL, shared by two instances", () => {
  it("both write one chain; a PostgreSQL restart mid-run loses no answered view", async () => {
    const jars = await Promise.all(apps.map(async (app) => (await signIn(app.appUrl, DEMO.staff.ben.email)).jar));
    for (const [i, app] of apps.entries()) {
      const warm = await get(`${app.appUrl}/api/divisions/${DEMO.divisions.globex}/users`, jars[i] ?? null);
      expect(warm.status).toBe(200);
      await warm.arrayBuffer();
    }
    await until(async () => (await Promise.all(apps.map(auditStoreOf))).every((s) => s === "ok"), "both instances to reach PostgreSQL");

    let done = false;
    const refused: number[] = [];
    const running = apps.map((app, i) => viewsUntil(app, jars[i] as CookieJar, () => done, refused));
    await pause(1_500);
    await server.stop();
    await until(async () => (await Promise.all(apps.map(auditStoreOf))).every((s) => s === "down"), "both instances to report the outage", 15_000);
    await pause(1_500);
    // Operators see the outage in /api/metrics too: the store down, the views held on each instance's disk.
    for (const gauges of await Promise.all(apps.map(auditGauges))) {
      expect(gauges.up).toBe(0);
      expect(gauges.buffered).toBeGreaterThan(0);
    }
    await server.start();
    await pause(1_500);
    done = true;
    const answered = await Promise.all(running);
    expect(refused).toEqual([]);
    expect(answered.every((ids) => ids.length > 20 && ids.every((id) => id.length > 0))).toBe(true);
    const all = answered.flat();

    await until(async () => (await Promise.all(apps.map(auditStoreOf))).every((s) => s === "ok"), "both instances to reach PostgreSQL again");
    await until(async () => (await Promise.all(apps.map(auditGauges))).every((g) => g.up === 1 && g.buffered === 0), "both buffers to be flushed (metrics)");
    const store = new PgAuditStore(databaseUrl, 400);
    try {
      const views = async () => {
        const ids: string[] = [];
        for await (const e of store.all({ action: "division.view", divisionId: DEMO.divisions.globex, outcome: "ok" })) ids.push(e.requestId ?? "");
        return ids;
      };
      // The buffers are flushed by each instance's retry (every second) once PostgreSQL is back.
      await until(async () => new Set(await views()).size >= new Set(all).size + 2, "every answered view to reach PostgreSQL");
      const recorded = await views();
      const counts = new Map<string, number>();
      for (const id of recorded) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(all.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(recorded.length).toBe(all.length + 2); // and the two warming views
      expect((await store.verify()).ok).toBe(true);
    } finally {
      await store.close();
    }

    // Each instance warned once for the outage, and the integrity check over HTTP agrees.
    for (const app of apps) expect(app.logs().filter((l) => l.includes("audit store unreachable"))).toHaveLength(1);
    const { jar: admin } = await signIn(apps[0]?.appUrl ?? "", DEMO.staff.admin.email);
    const integrity = await get(`${apps[0]?.appUrl}/api/audit/integrity`, admin);
    expect(integrity.status).toBe(200);
    expect(parseBody(auditIntegritySchema, await integrity.text(), "/api/audit/integrity")).toMatchObject({ ok: true });
    // The /audit queries and the CSV read PostgreSQL alike.
    const filter = `action=division.view&division=${DEMO.divisions.globex}&person=${encodeURIComponent(DEMO.staff.ben.email)}`;
    const page = parseBody(auditPageSchema, await (await get(`${apps[0]?.appUrl}/api/audit?${filter}&limit=500`, admin)).text(), "/api/audit");
    expect(page.events.length).toBe(Math.min(500, all.length + 2));
    const csv = await get(`${apps[0]?.appUrl}/api/audit.csv?${filter}`, admin);
    expect(csv.status).toBe(200);
    expect(parseCsv(await csv.text())).toHaveLength(all.length + 2 + 1);
    console.log(`audit-postgres: ${all.length} views answered (${answered.map((a) => a.length).join(" + ")}), all recorded once, chain intact`);
  }, 120_000);
});
