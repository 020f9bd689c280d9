import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";

import { EVERY_KNOB_VARIANT } from "../support/knob-variants";
import { runScript } from "../support/run-script";

// `npm run doctor` as an operator runs it against an org: a real process, real exit codes, one line per check.

const KEYS = ["sortById", "startsWithId", "defaultSearchStates", "objectCountStates", "listWindow", "exactCaseSensitive", "permittedDivisions", "searchTypeLimits"];

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-doctor-"));
});

afterAll(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => emu.reset());

function runDoctor(env: Record<string, string> = {}) {
  return runScript("scripts/doctor.ts", [], { gatewayUrl: emu.url, home: dir, env: { LOG_LEVEL: "error", REDIS_URL: "", ...env } });
}

/** The check lines by key: `key = value (n calls): tested → answered → action`. */
function checks(stdout: string): Map<string, { value: string; parts: string[] }> {
  const out = new Map<string, { value: string; parts: string[] }>();
  for (const line of stdout.split("\n")) {
    const m = /^(\w+) = (\S+) \(\d+ calls?\): (.*)$/.exec(line);
    if (m?.[1] && m[2] && m[3]) out.set(m[1], { value: m[2], parts: m[3].split(" → ") });
  }
  return out;
}

function callsUsed(stdout: string): number {
  const m = /^Genesys calls used: (\d+)/m.exec(stdout);
  if (!m?.[1]) throw new Error(`no call count in:\n${stdout}`);
  return Number(m[1]);
}

describe("npm run doctor", () => {
  it("checks the default emulator: one line per check, at most 30 calls, exit 0", async () => {
    const r = await runDoctor();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = checks(r.stdout);
    expect([...lines.keys()]).toEqual(KEYS);
    for (const [key, line] of lines) expect(line.parts, key).toHaveLength(3);
    expect(lines.get("sortById")?.value).toBe("ok");
    expect(lines.get("permittedDivisions")?.value).toBe("ok");
    expect(callsUsed(r.stdout)).toBeLessThanOrEqual(30);
    expect(r.stdout).toContain("OK: Tenantscope can work with this org.");
    // The access explorer's permissions (/access), held by the demo's client.
    expect(r.stdout).toMatch(/^access explorer: authorization:grant:view held, to /m);
    expect(r.stdout).toMatch(/^access explorer: authorization:role:view held, to /m);
    expect(r.stdout).not.toMatch(/^Warning: /m);
  }, 60_000);

  it("reports every variant when all knobs are set; the roles fallback keeps it workable (exit 0)", async () => {
    emu.setFaults({ ...EVERY_KNOB_VARIANT });
    const r = await runDoctor();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const values = Object.fromEntries([...checks(r.stdout)].map(([k, v]) => [k, v.value]));
    expect(values).toEqual({
      sortById: "ignore",
      startsWithId: "empty",
      defaultSearchStates: "active",
      objectCountStates: "all",
      listWindow: "windowed",
      exactCaseSensitive: "true",
      permittedDivisions: "user-only",
      searchTypeLimits: "assumed",
    });
    expect(r.stdout).toContain("that needs authorization:role:view.");
    // 30 for the checks; the access explorer's permissions read the client's roles again when
    // divisionspermitted answers for users only (one or two calls more).
    expect(callsUsed(r.stdout)).toBeLessThanOrEqual(32);
  }, 60_000);

  it("exits 1 naming the blocker when divisionspermitted is user-only and the client may not read its roles", async () => {
    emu.setFaults({ ...EVERY_KNOB_VARIANT });
    const r = await runDoctor({ GENESYS_CLIENT_ID: DEMO.clients.misconfigured.id, GENESYS_CLIENT_SECRET: DEMO.clients.misconfigured.secret });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(checks(r.stdout).get("permittedDivisions")?.value).toBe("user-only");
    expect(r.stdout).toMatch(/^Blocked: /m);
    expect(r.stdout).toContain("authorization:role:view");
    expect(r.stdout).not.toContain(DEMO.clients.misconfigured.secret);
  }, 60_000);

  it("exits 1 when the client may read no division, and when no token can be had", async () => {
    const none = await runDoctor({ GENESYS_CLIENT_ID: DEMO.clients.misconfigured.id, GENESYS_CLIENT_SECRET: DEMO.clients.misconfigured.secret });
    expect(none.code, none.stdout + none.stderr).toBe(1);
    expect(none.stdout).toContain("No division the client may read");
    // The misconfigured client lacks the access explorer's permission too: named, with the fix.
    expect(none.stdout).toMatch(/^access explorer: authorization:grant:view missing, to /m);
    expect(none.stdout).toMatch(/^Warning: The access explorer needs authorization:grant:view/m);
    const noToken = await runDoctor({ GENESYS_CLIENT_SECRET: "wrong-secret" });
    expect(noToken.code).toBe(1);
    expect(noToken.stdout).toMatch(/^Blocked: no token: /m);
    expect(noToken.stdout).toContain("GENESYS_CLIENT_SECRET");
    expect(noToken.stdout + noToken.stderr).not.toContain("wrong-secret");
    expect(checks(noToken.stdout).size).toBe(0);
  }, 60_000);
});
