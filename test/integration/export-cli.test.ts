import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { AuditStore } from "@/lib/server/audit/store";

import { EVERY_KNOB_VARIANT, KNOB_VARIANTS } from "../support/knob-variants";
import { runScript } from "../support/run-script";

// The export CLI as an operator runs it: a real process, real exit codes, messages on stderr.

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-export-"));
});

afterAll(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => emu.reset());

function runExport(args: string[], env: Record<string, string> = {}) {
  return runScript("scripts/export.ts", args, { gatewayUrl: emu.url, home: dir, env: { AUDIT_DB_PATH: path.join(dir, "audit.sqlite"), ...env } });
}

async function truth(divisionId: string): Promise<string[]> {
  return (await (await fetch(`${emu.url}/__emulator/divisions/${divisionId}/user-ids`)).json()) as string[];
}

describe("npm run export", () => {
  it("writes a division found by exact name as CSV: every member once, formulas neutralised", async () => {
    const out = path.join(dir, "acme.csv");
    const r = await runExport(["--division", "Acme Insurance", "--format", "csv", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("Exported 37 users of Acme Insurance");
    const lines = fs.readFileSync(out, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,name,email,username,title,department,state,divisionId,divisionName");
    const ids = lines.slice(1).map((l) => l.slice(0, 36));
    expect(ids.sort()).toEqual(await truth(DEMO.divisions.acme));
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`))).toBe(true);
    expect(lines.some((l) => l.includes(",'+Plus Person,"))).toBe(true);
    // On record in the audit trail, as an operator run.
    const store = new AuditStore(path.join(dir, "audit.sqlite"), 400);
    const [last] = store.query({ limit: 1 }).events;
    store.close();
    expect(last).toMatchObject({ action: "division.export", outcome: "ok", divisionId: DEMO.divisions.acme, divisionName: "Acme Insurance", rows: 37, actor: { role: "operator" } });
    expect(last?.actor?.id).toMatch(/^cli:/);
    expect(last?.isolation).toMatchObject({ verified: 37, dropped: 0 });
  }, 60_000);

  it("writes JSON with metadata and NDJSON rows, filtered by state", async () => {
    const json = await runExport(["--division", DEMO.divisions.globex, "--format", "json"]);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { users: { divisionId: string }[]; meta: { isolation: { verified: number } } };
    expect(doc.users.length).toBe((await truth(DEMO.divisions.globex)).length);
    expect(doc.meta.isolation.verified).toBe(doc.users.length);
    const nd = await runExport(["--division", DEMO.divisions.globex, "--format", "ndjson", "--state", "inactive"]);
    expect(nd.code, nd.stderr).toBe(0);
    const rows = nd.stdout.trim().split("\n").map((l) => JSON.parse(l) as { state: string; divisionId: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((u) => u.state === "inactive" && u.divisionId === DEMO.divisions.globex)).toBe(true);
  }, 60_000);

  it("exits 3 for an unknown division, 4 with the fix for an ungranted one, 2 for bad usage or config", async () => {
    const unknown = await runExport(["--division", "00000000-0000-4000-8000-000000000000"]);
    expect(unknown.code).toBe(3);
    const stark = await runExport(["--division", "Stark Retail"]);
    expect(stark.code).toBe(4);
    expect(stark.stderr).toContain("directory:user:view");
    expect(stark.stderr).toContain("Admin > Integrations > OAuth");
    expect(stark.stderr).toContain("Stark Retail");
    expect((await runExport(["--division", "Acme Insurance", "--format", "xml"])).code).toBe(2);
    expect((await runExport(["--bogus"])).code).toBe(2);
    const badConfig = await runExport(["--division", "Acme Insurance"], { GENESYS_REGION: "mars-1", GENESYS_GATEWAY_URL: "" });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain("GENESYS_REGION");
    const store = new AuditStore(path.join(dir, "audit.sqlite"), 400);
    expect(store.query({ limit: 1, action: "division.export", outcome: "denied" }).events[0]).toMatchObject({ code: "upstream_forbidden", divisionName: "Stark Retail" });
    store.close();
    // The secret never shows up in any message.
    for (const r of [unknown, stark, badConfig]) expect(r.stderr).not.toContain(DEMO.clients.bff.secret);
  }, 90_000);

  it("exits 5 in fail-closed mode when the isolation check drops a row", async () => {
    emu.setFaults({ leak: true });
    const r = await runExport(["--division", "Acme Insurance"], { ISOLATION_MODE: "fail-closed" });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("isolation_violation");
  }, 60_000);

  /** Each division's export under the faults set: exactly its members (or, where allowed, exit 5 naming the capability). */
  async function expectExactExports(refusalAllowed: boolean): Promise<void> {
    for (const divisionId of [DEMO.divisions.acme, DEMO.divisions.initech, DEMO.divisions.umbrella, DEMO.divisions.wayne]) {
      // Upper case on purpose: EXACT may be case-sensitive, and ids are not.
      const r = await runExport(["--division", divisionId.toUpperCase(), "--format", "ndjson"]);
      if (r.code !== 0 && refusalAllowed) {
        expect(r.code, r.stderr).toBe(5);
        expect(r.stderr).toMatch(/sortById|startsWithId/);
        continue;
      }
      expect(r.code, r.stderr).toBe(0);
      const ids = r.stdout.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id).sort();
      expect(ids, r.stderr).toEqual(await truth(divisionId));
    }
  }

  it.each(Object.entries(KNOB_VARIANTS))("with the knob %s: each division's exact members", async (_name, knob) => {
    emu.setFaults(knob);
    await expectExactExports(false);
  }, 180_000);

  it("with every realism knob at once: each division's exact members (or an exit naming the capability)", async () => {
    emu.setFaults({ ...EVERY_KNOB_VARIANT });
    await expectExactExports(true);
  }, 180_000);
});
