import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { StampedEvent } from "@/lib/server/audit/backend";
import { DiskBuffer } from "@/lib/server/audit/disk-buffer";
import { ResilientAuditStore } from "@/lib/server/audit/pg-resilient";
import { PgAuditStore } from "@/lib/server/audit/pg-store";

import { startPostgres, type PostgresServer } from "../../../support/postgres-server";

// PostgreSQL stopped and started under a writing store: every acknowledged event ends up in PostgreSQL once,
// in one verified chain; meanwhile events wait in the disk buffer, the status says "down", one warning is
// logged per outage, and reading the trail answers audit_unavailable.

let server: PostgresServer;
let databases = 0;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.destroy();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-buffer-"));
  dirs.push(dir);
  return path.join(dir, "buffer.ndjson");
}

function event(rows: number): StampedEvent {
  return { action: "division.view", actor: null, outcome: "ok", rows, requestId: `r${rows}`, at: new Date().toISOString() };
}

function harness(url: string, bufferFile = tempFile(), maxEvents = 1_000) {
  const logs: { level: string; message: string }[] = [];
  const log = {
    warn: (_: object, message: string) => logs.push({ level: "warn", message }),
    info: (_: object, message: string) => logs.push({ level: "info", message }),
    error: (_: object, message: string) => logs.push({ level: "error", message }),
    // What the metrics gauges are set to (record.ts): the last report must always match the store.
    state: (reachable: boolean, buffered: number) => (reported.last = { reachable, buffered }),
  };
  const reported: { last?: { reachable: boolean; buffered: number } } = {};
  const store = new ResilientAuditStore(new PgAuditStore(url, 30, { timeoutMs: 2_000 }), new DiskBuffer(bufferFile, maxEvents), log, 100);
  return { store, logs, warnings: () => logs.filter((l) => l.level === "warn").length, reported: () => reported.last };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rowsStored(store: ResilientAuditStore): Promise<number[]> {
  const rows: number[] = [];
  for await (const e of store.all({})) rows.push(e.rows ?? -1);
  return rows.reverse();
}

describe("ResilientAuditStore", () => {
  it("buffers on disk through a restart, flushes in order once it returns, loses nothing", async () => {
    const url = await server.createDatabase(`resilient_${++databases}`);
    const { store, warnings, reported } = harness(url);
    await store.appendMany([event(0), event(1)]);
    expect(store.status()).toBe("ok");
    expect(store.buffered).toBe(0);
    expect(reported()).toEqual({ reachable: true, buffered: 0 });

    await server.stop();
    for (let i = 2; i < 12; i++) await store.appendMany([event(i)]);
    expect(store.status()).toBe("down");
    expect(store.buffered).toBe(10);
    expect(reported()).toEqual({ reachable: false, buffered: 10 });
    await expect(store.query({})).rejects.toMatchObject({ code: "audit_unavailable" });
    expect(warnings()).toBe(1);
    // Retries (every 100 ms here) neither flip the status nor warn again while it stays down.
    await new Promise((r) => setTimeout(r, 350));
    expect(store.status()).toBe("down");
    expect(warnings()).toBe(1);

    await server.start();
    await until(() => store.status() === "ok" && store.buffered === 0, "the buffer to be flushed");
    expect(reported()).toEqual({ reachable: true, buffered: 0 });
    await store.appendMany([event(12)]);
    expect(await rowsStored(store)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(await store.verify()).toEqual({ ok: true, checked: 13 });

    // A second outage is warned about again.
    await server.stop();
    await store.appendMany([event(13)]);
    expect(warnings()).toBe(2);
    await server.start();
    await until(() => store.buffered === 0 && store.status() === "ok", "the second flush");
    expect(await store.verify()).toEqual({ ok: true, checked: 14 });
    await store.close();
  }, 60_000);

  it("starts while PostgreSQL is down, and migrates and flushes when it comes up", async () => {
    const url = await server.createDatabase(`resilient_${++databases}`);
    await server.stop();
    try {
      const { store, warnings } = harness(url);
      await store.appendMany([event(0)]);
      await store.appendMany([event(1), event(2)]);
      expect(store.status()).toBe("down");
      expect(store.buffered).toBe(3);
      expect(warnings()).toBe(1);
      await server.start();
      await until(() => store.status() === "ok" && store.buffered === 0, "the first flush");
      expect(await rowsStored(store)).toEqual([0, 1, 2]);
      await store.close();
    } catch (e) {
      await server.start().catch(() => undefined);
      throw e;
    }
  }, 60_000);

  it("a buffer left by a process that died is flushed by the next one, each event once", async () => {
    const url = await server.createDatabase(`resilient_${++databases}`);
    const file = tempFile();
    // One event already stored; then a buffer left by a process that died: two events, and a last line torn
    // mid-write (never acknowledged, so dropped).
    const first = harness(url, file);
    await first.store.appendMany([event(0)]);
    await first.store.close();
    fs.writeFileSync(file, "");
    const buffer = new DiskBuffer(file, 10);
    buffer.append([1, 2].map((n) => ({ ...event(n), uid: `00000000-0000-4000-8000-00000000000${n}` })));
    buffer.close();
    fs.appendFileSync(file, '{"action":"division.view","tor');
    const second = harness(url, file);
    await until(() => second.store.buffered === 0 && second.store.status() === "ok", "the leftover buffer to be flushed");
    expect(await rowsStored(second.store)).toEqual([0, 1, 2]);
    await second.store.close();
    // The same buffer handed over again (a flush whose clear was lost) stores nothing twice.
    const again = new DiskBuffer(file, 10);
    again.append([1, 2].map((n) => ({ ...event(n), uid: `00000000-0000-4000-8000-00000000000${n}` })));
    again.close();
    const third = harness(url, file);
    await until(() => third.store.buffered === 0, "the repeated buffer");
    expect(await rowsStored(third.store)).toEqual([0, 1, 2]);
    expect(await third.store.verify()).toEqual({ ok: true, checked: 3 });
    await third.store.close();
  }, 60_000);

  it("refuses (audit_unavailable) what would not fit in a full buffer, and keeps what did", async () => {
    const url = await server.createDatabase(`resilient_${++databases}`);
    const { store } = harness(url, tempFile(), 3);
    await server.stop();
    try {
      await store.appendMany([event(0), event(1)]);
      await expect(store.appendMany([event(2), event(3)])).rejects.toMatchObject({ code: "audit_unavailable" });
      await store.appendMany([event(4)]);
      expect(store.buffered).toBe(3);
    } finally {
      await server.start();
    }
    await until(() => store.buffered === 0 && store.status() === "ok", "the flush");
    expect(await rowsStored(store)).toEqual([0, 1, 4]);
    await store.close();
  }, 60_000);
});
