import { randomUUID } from "node:crypto";
import os from "node:os";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PgAuditStore, type UidEvent } from "@/lib/server/audit/pg-store";
import type { AuditEvent } from "@/lib/server/audit/store";

import { startPostgres, type PostgresServer } from "../../../support/postgres-server";
import { runScript } from "../../../support/run-script";

// The PostgreSQL audit store against a real server (Debian's postgresql, started by the test): the same
// guarantees as the SQLite store (store.test.ts), and one chain however many instances write at once.

let server: PostgresServer;
let databases = 0;
const opened: PgAuditStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  await server?.destroy();
});

/** A store on a fresh database (migrated), and the database's URL. */
async function freshStore(retentionDays = 30): Promise<{ store: PgAuditStore; url: string }> {
  const url = await server.createDatabase(`audit_${++databases}`);
  const store = open(url, retentionDays);
  await store.migrate();
  return { store, url };
}

function open(url: string, retentionDays = 30): PgAuditStore {
  const store = new PgAuditStore(url, retentionDays);
  opened.push(store);
  return store;
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const ana = { id: "u-ana", email: "ana.manager@northwind.example", name: "Ana Manager", role: "manager" as const };
const admin = { id: "u-admin", email: "admin@northwind.example", name: "Ada Admin", role: "admin" as const };

function event(over: Partial<AuditEvent> & { at: string }): UidEvent {
  return { action: "division.view", actor: ana, divisionId: "d-acme", divisionName: "Acme", rows: 40, outcome: "ok", uid: randomUUID(), ...over };
}

describe("PgAuditStore", () => {
  it("stores every field and reads it back, newest first, in pages", async () => {
    const { store } = await freshStore();
    const isolation = { checked: 40, verified: 40, dropped: 0, countMatches: true, consistent: true };
    await store.appendMany([event({ at: "2026-11-30T10:00:00.000Z", isolation, requestId: "r1" })]);
    await store.appendMany([event({ at: "2026-11-30T11:00:00.000Z", action: "division.export", rows: 12 })]);
    await store.appendMany([event({ at: "2026-11-30T12:00:00.000Z", actor: null, outcome: "denied", code: "unauthenticated", divisionId: "d-globex", divisionName: undefined, rows: undefined })]);
    const first = await store.query({ limit: 2 });
    expect(first.events.map((e) => e.at)).toEqual(["2026-11-30T12:00:00.000Z", "2026-11-30T11:00:00.000Z"]);
    expect(first.events[0]).toMatchObject({ actor: null, outcome: "denied", code: "unauthenticated", divisionId: "d-globex" });
    expect(first.events[0]).not.toHaveProperty("rows");
    const second = await store.query({ limit: 2, before: first.nextBefore ?? 0 });
    expect(second.events).toHaveLength(1);
    expect(second.events[0]).toMatchObject({ id: 1, actor: ana, divisionId: "d-acme", divisionName: "Acme", rows: 40, isolation, requestId: "r1" });
    expect(second.nextBefore).toBeNull();
  });

  it("filters by person (email, name or id), division, action, outcome and time, like the SQLite store", async () => {
    const { store } = await freshStore();
    await store.appendMany([
      event({ at: "2026-11-01T09:00:00.000Z" }),
      event({ at: "2026-11-15T09:00:00.000Z", actor: admin, divisionId: "d-umbrella" }),
      event({ at: "2026-11-20T09:00:00.000Z", actor: admin, action: "diagnostics.run", divisionId: undefined }),
      event({ at: "2026-11-25T09:00:00.000Z", outcome: "denied", code: "forbidden", divisionId: "d-umbrella" }),
    ]);
    const ats = async (q: Parameters<PgAuditStore["query"]>[0]) => (await store.query(q)).events.map((e) => e.at.slice(5, 10));
    expect(await ats({ actor: "ADMIN@" })).toEqual(["11-20", "11-15"]);
    expect(await ats({ actor: "ana manager" })).toEqual(["11-25", "11-01"]);
    expect(await ats({ actor: "u-admin" })).toEqual(["11-20", "11-15"]);
    expect(await ats({ actor: "%" })).toEqual([]);
    expect(await ats({ divisionId: "d-umbrella" })).toEqual(["11-25", "11-15"]);
    expect(await ats({ action: "diagnostics.run" })).toEqual(["11-20"]);
    expect(await ats({ outcome: "denied" })).toEqual(["11-25"]);
    expect(await ats({ from: "2026-11-10T00:00:00.000Z", to: "2026-11-20T23:59:59.999Z" })).toEqual(["11-20", "11-15"]);
    const all: (string | undefined)[] = [];
    for await (const e of store.all({ divisionId: "d-umbrella", outcome: "ok" })) all.push(e.actor?.email);
    expect(all).toEqual([admin.email]);
  });

  it("refuses updates, truncation and early deletes, even through SQL; purges what is past retention", async () => {
    const { store, url } = await freshStore(30);
    await store.appendMany([event({ at: "2020-01-01T00:00:00.000Z", rows: 1 }), event({ at: new Date().toISOString(), rows: 2 })]);
    await expect(sql(url, "UPDATE audit_events SET rows = 0")).rejects.toThrow(/append-only/);
    await expect(sql(url, "TRUNCATE audit_events")).rejects.toThrow(/append-only/);
    await expect(sql(url, "DELETE FROM audit_events")).rejects.toThrow(/retention/);
    expect((await store.query({})).events).toHaveLength(2);
    expect(await store.purgeExpired()).toBe(1);
    expect((await store.query({})).events.map((e) => e.rows)).toEqual([2]);
    expect(await store.verify()).toEqual({ ok: true, checked: 1 });
  });

  it("a row edited around the app breaks the hash chain at that row", async () => {
    const { store, url } = await freshStore();
    await store.appendMany([0, 1, 2, 3, 4].map((i) => event({ at: `2026-11-30T1${i}:00:00.000Z`, rows: i })));
    expect(await store.verify()).toEqual({ ok: true, checked: 5 });
    await sql(url, "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update; UPDATE audit_events SET rows = 999 WHERE id = 3");
    expect(await store.verify()).toEqual({ ok: false, checked: 2, brokenAt: 3 });
  });

  it("keeps whom an event is about (migration 2), hashed only when set", async () => {
    const { store } = await freshStore();
    await store.appendMany([event({ at: "2026-11-30T10:00:00.000Z", rows: 1 }), event({ at: "2026-11-30T10:00:01.000Z", action: "access.explain", subjectId: "u-ben", subjectName: "Ben Manager" })]);
    const [newest, oldest] = (await store.query({})).events;
    expect(newest).toMatchObject({ action: "access.explain", subjectId: "u-ben", subjectName: "Ben Manager" });
    expect(oldest).not.toHaveProperty("subjectId");
    expect(await store.verify()).toEqual({ ok: true, checked: 2 });
  });

  it("stores an event once however often it is handed over (a retried flush)", async () => {
    const { store } = await freshStore();
    const batch = [event({ at: "2026-11-30T10:00:00.000Z", rows: 1 }), event({ at: "2026-11-30T10:00:01.000Z", rows: 2 })];
    expect(await store.appendMany(batch)).toBe(2);
    expect(await store.appendMany([...batch, event({ at: "2026-11-30T10:00:02.000Z", rows: 3 })])).toBe(1);
    expect((await store.query({})).events.map((e) => e.rows)).toEqual([3, 2, 1]);
    expect(await store.verify()).toEqual({ ok: true, checked: 3 });
  });

  it("two instances migrating and writing at once keep one unbroken chain, every event once", async () => {
    const url = await server.createDatabase(`audit_${++databases}`);
    const [a, b] = [open(url), open(url)] as const;
    expect((await Promise.all([a.migrate(), b.migrate()])).flat()).toEqual([1, 2]);
    const writes: Promise<number>[] = [];
    for (let i = 0; i < 60; i++) {
      const batch = Array.from({ length: 1 + (i % 4) }, (_, j) => event({ at: new Date().toISOString(), rows: i * 10 + j, requestId: `${i % 2 ? "a" : "b"}-${i}-${j}` }));
      writes.push((i % 2 ? a : b).appendMany(batch));
    }
    const stored = (await Promise.all(writes)).reduce((x, y) => x + y, 0);
    expect(stored).toBe(150);
    expect(await a.verify()).toEqual({ ok: true, checked: 150 });
    const ids = new Set<string | undefined>();
    for await (const e of b.all({})) ids.add(e.requestId);
    expect(ids.size).toBe(150);
  });

  it("a batch is one transaction: all of it is stored, or none", async () => {
    const { store } = await freshStore();
    await store.appendMany([event({ at: "2026-11-30T10:00:00.000Z", rows: 0 })]);
    const broken = { ...event({ at: "2026-11-30T10:00:03.000Z" }), action: null } as unknown as UidEvent;
    await expect(store.appendMany([event({ at: "2026-11-30T10:00:03.000Z", rows: 5 }), broken])).rejects.toThrow();
    expect(await store.verify()).toEqual({ ok: true, checked: 1 });
  });

  it("npm run migrate applies the migrations once; the store then finds its schema in place", async () => {
    const url = await server.createDatabase(`audit_${++databases}`);
    const home = os.tmpdir();
    const run = (env: Record<string, string>) => runScript("scripts/migrate.ts", [], { gatewayUrl: "http://127.0.0.1:9", home, env });
    const first = await run({ AUDIT_DATABASE_URL: url });
    expect([first.code, first.stdout.trim()]).toEqual([0, "Applied audit migrations 1, 2."]);
    const second = await run({ AUDIT_DATABASE_URL: url });
    expect([second.code, second.stdout.trim()]).toEqual([0, "The audit database is up to date."]);
    expect(await open(url).migrate()).toEqual([]);
    const none = await run({ AUDIT_DATABASE_URL: "" });
    expect(none.code).toBe(2);
  }, 60_000);
});
