import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";

import type { AuditEvent } from "@/lib/server/audit/store";
import { AuditStore } from "@/lib/server/audit/store";

const dirs: string[] = [];

function dbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-test-"));
  dirs.push(dir);
  return path.join(dir, "nested", "audit.sqlite");
}

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const ana = { id: "u-ana", email: "ana.manager@northwind.example", name: "Ana Manager", role: "manager" as const };
const admin = { id: "u-admin", email: "admin@northwind.example", name: "Ada Admin", role: "admin" as const };

function event(over: Partial<AuditEvent> & { at: string }): AuditEvent & { at: string } {
  return { action: "division.view", actor: ana, divisionId: "d-acme", divisionName: "Acme", rows: 40, outcome: "ok", ...over };
}

describe("AuditStore", () => {
  it("stores every field and reads it back, newest first, in pages", () => {
    const store = new AuditStore(dbFile(), 30);
    const isolation = { checked: 40, verified: 40, dropped: 0, countMatches: true, consistent: true };
    store.append(event({ at: "2026-11-30T10:00:00.000Z", isolation, requestId: "r1" }));
    store.append(event({ at: "2026-11-30T11:00:00.000Z", action: "division.export", rows: 12, outcome: "ok" }));
    store.append(event({ at: "2026-11-30T12:00:00.000Z", actor: null, outcome: "denied", code: "unauthenticated", divisionId: "d-globex", divisionName: undefined, rows: undefined }));
    const first = store.query({ limit: 2 });
    expect(first.events.map((e) => e.at)).toEqual(["2026-11-30T12:00:00.000Z", "2026-11-30T11:00:00.000Z"]);
    expect(first.events[0]).toMatchObject({ actor: null, outcome: "denied", code: "unauthenticated", divisionId: "d-globex" });
    expect(first.nextBefore).not.toBeNull();
    const second = store.query({ limit: 2, before: first.nextBefore ?? 0 });
    expect(second.events).toHaveLength(1);
    expect(second.events[0]).toMatchObject({ actor: ana, divisionId: "d-acme", divisionName: "Acme", rows: 40, isolation, requestId: "r1" });
    expect(second.nextBefore).toBeNull();
    store.close();
  });

  it("filters by person (email, name or id), division, action, outcome and time", () => {
    const store = new AuditStore(dbFile(), 30);
    store.append(event({ at: "2026-11-01T09:00:00.000Z" }));
    store.append(event({ at: "2026-11-15T09:00:00.000Z", actor: admin, divisionId: "d-umbrella" }));
    store.append(event({ at: "2026-11-20T09:00:00.000Z", actor: admin, action: "diagnostics.run", divisionId: undefined }));
    store.append(event({ at: "2026-11-25T09:00:00.000Z", outcome: "denied", code: "forbidden", divisionId: "d-umbrella" }));
    const ats = (q: Parameters<AuditStore["query"]>[0]) => store.query(q).events.map((e) => e.at.slice(5, 10));
    expect(ats({ actor: "ADMIN@" })).toEqual(["11-20", "11-15"]);
    expect(ats({ actor: "ana manager" })).toEqual(["11-25", "11-01"]);
    expect(ats({ actor: "u-admin" })).toEqual(["11-20", "11-15"]);
    // LIKE wildcards in the filter are taken literally.
    expect(ats({ actor: "%" })).toEqual([]);
    expect(ats({ divisionId: "d-umbrella" })).toEqual(["11-25", "11-15"]);
    expect(ats({ action: "diagnostics.run" })).toEqual(["11-20"]);
    expect(ats({ outcome: "denied" })).toEqual(["11-25"]);
    expect(ats({ from: "2026-11-10T00:00:00.000Z", to: "2026-11-20T23:59:59.999Z" })).toEqual(["11-20", "11-15"]);
    expect([...store.all({ divisionId: "d-umbrella", outcome: "ok" })].map((e) => e.actor?.email)).toEqual([admin.email]);
    store.close();
  });

  it("refuses updates and early deletes, even through SQL", () => {
    const file = dbFile();
    const store = new AuditStore(file, 30);
    store.append(event({ at: new Date().toISOString() }));
    const raw = new Database(file);
    expect(() => raw.prepare("UPDATE audit_events SET rows = 0").run()).toThrow(/append-only/);
    expect(() => raw.prepare("DELETE FROM audit_events").run()).toThrow(/retention/);
    raw.close();
    expect(store.query({}).events).toHaveLength(1);
    store.close();
  });

  it("purges what is older than the retention period, and nothing else", () => {
    const now = Date.parse("2026-12-01T00:00:00.000Z");
    const store = new AuditStore(dbFile(), 30, () => now);
    store.append(event({ at: "2026-10-01T00:00:00.000Z" }));
    store.append(event({ at: "2026-10-31T12:00:00.000Z" }));
    store.append(event({ at: new Date().toISOString() }));
    expect(store.purgeExpired()).toBe(2);
    expect(store.query({}).events).toHaveLength(1);
    expect(store.verify()).toEqual({ ok: true, checked: 1 });
    store.close();
  });

  it("a row edited around the app breaks the hash chain at that row", () => {
    const file = dbFile();
    const store = new AuditStore(file, 30);
    for (let i = 0; i < 5; i++) store.append(event({ at: `2026-11-30T1${i}:00:00.000Z`, rows: i }));
    expect(store.verify()).toEqual({ ok: true, checked: 5 });
    const raw = new Database(file);
    raw.exec("DROP TRIGGER audit_events_no_update");
    raw.prepare("UPDATE audit_events SET rows = 999 WHERE id = 3").run();
    raw.close();
    expect(store.verify()).toEqual({ ok: false, checked: 2, brokenAt: 3 });
    store.close();
  });

  it("two processes' worth of stores on one file keep one unbroken chain", () => {
    const file = dbFile();
    const a = new AuditStore(file, 30);
    const b = new AuditStore(file, 30);
    for (let i = 0; i < 20; i++) (i % 2 ? a : b).append(event({ at: new Date().toISOString(), rows: i }));
    expect(a.verify()).toEqual({ ok: true, checked: 20 });
    expect(b.query({ limit: 100 }).events).toHaveLength(20);
    a.close();
    b.close();
  });

  it("a batch is one transaction: chained in order with single appends around it, or not stored at all", () => {
    const file = dbFile();
    const store = new AuditStore(file, 30);
    store.append(event({ at: "2026-11-30T10:00:00.000Z", rows: 0 }));
    store.appendMany([1, 2, 3].map((rows) => event({ at: "2026-11-30T10:00:01.000Z", rows, requestId: `r${rows}` })));
    store.append(event({ at: "2026-11-30T10:00:02.000Z", rows: 4 }));
    expect(store.verify()).toEqual({ ok: true, checked: 5 });
    expect(store.query({ limit: 10 }).events.map((e) => e.rows)).toEqual([4, 3, 2, 1, 0]);
    // A row SQLite refuses (NOT NULL) fails the whole batch: nothing of it is kept, the chain is intact.
    const broken = { ...event({ at: "2026-11-30T10:00:03.000Z" }), action: null } as unknown as AuditEvent & { at: string };
    expect(() => store.appendMany([event({ at: "2026-11-30T10:00:03.000Z", rows: 5 }), broken])).toThrow();
    expect(store.verify()).toEqual({ ok: true, checked: 5 });
    store.close();
  });
});

describe("AuditStore subject columns", () => {
  it("adds them to a store made before they existed, keeping its hash chain valid", () => {
    const file = dbFile();
    const old = new AuditStore(file, 30);
    old.append(event({ at: "2026-12-01T10:00:00.000Z" }));
    old.close();
    // Drop the columns, as a store created by the previous release lacks them (the old rows' hashes do not cover them).
    const db = new Database(file);
    db.exec("ALTER TABLE audit_events DROP COLUMN subject_id; ALTER TABLE audit_events DROP COLUMN subject_name;");
    db.close();
    const store = new AuditStore(file, 30);
    store.append(event({ at: "2026-12-01T10:01:00.000Z", action: "access.explain", actor: admin, subjectId: "u-ben", subjectName: "Ben Manager" }));
    expect(store.verify()).toEqual({ ok: true, checked: 2 });
    const [newest, oldest] = store.query({}).events;
    expect(newest).toMatchObject({ action: "access.explain", subjectId: "u-ben", subjectName: "Ben Manager" });
    expect(oldest).not.toHaveProperty("subjectId");
    store.close();
  });
});
