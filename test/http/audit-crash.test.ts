import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator } from "@/emulator/server";
import { AuditStore } from "@/lib/server/audit/store";
import { startApp, type RunningApp } from "@/scripts/stack";

import { signIn } from "../support/http-session";

// Views are committed to the audit trail in groups (lib/server/audit/group-commit.ts), and a response waits
// for its own group's commit. So a crash cannot lose an answered view: the server is killed (SIGKILL, no
// shutdown) the moment a response arrives while dozens more are in flight, and every view answered before
// then must be in the trail, with an unbroken hash chain.

const APP_PORT = 3260;
const IN_FLIGHT = 80;
const KILL_AFTER = 40;

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let app: RunningApp;
let auditFile: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-audit-crash-")), "audit.sqlite");
  app = await startApp({ appPort: APP_PORT, emulatorUrl: emulator.url, env: { AUDIT_DB_PATH: auditFile } });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  fs.rmSync(path.dirname(auditFile), { recursive: true, force: true });
});

describe("a crash right after responses", () => {
  it("loses no answered view, and the chain still verifies", async () => {
    const { jar } = await signIn(app.appUrl, DEMO.staff.ben.email);
    const url = `${app.appUrl}/api/divisions/${DEMO.divisions.globex}/users`;
    const warm = await fetch(url, { headers: { cookie: jar.header() } });
    expect(warm.status).toBe(200);
    await warm.arrayBuffer();

    const answered: string[] = [];
    let killed: Promise<void> | null = null;
    const requests = Array.from({ length: IN_FLIGHT }, () =>
      fetch(url, { headers: { cookie: jar.header() } }).then(
        (res) => {
          // Counted as answered from its status line on: that is when the browser learns it was served.
          if (killed || res.status !== 200) return;
          answered.push(res.headers.get("x-request-id") ?? "");
          if (answered.length === KILL_AFTER) killed = app.crash();
        },
        () => undefined, // cut off by the kill
      ),
    );
    await Promise.all(requests);
    await killed;
    expect(answered).toHaveLength(KILL_AFTER);
    expect(answered.every((id) => id.length > 0)).toBe(true);

    const store = new AuditStore(auditFile, 400);
    try {
      const recorded = new Set([...store.all({ action: "division.view", outcome: "ok", divisionId: DEMO.divisions.globex })].map((e) => e.requestId));
      expect(answered.filter((id) => !recorded.has(id))).toEqual([]);
      expect(store.verify().ok).toBe(true);
    } finally {
      store.close();
    }
  });
});
