// The capability probes against the real emulator: each knob variant (PUT /__emulator/faults) must give the
// probe's matching answer, within a few calls; answers are remembered (per process and through Redis).
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { Capabilities, CAPABILITY_KEYS, type CapabilityKey, type CapabilityReport } from "@/lib/server/genesys/capabilities";
import { MAX_PROBE_CALLS } from "@/lib/server/genesys/capability-context";
import type { GenesysClient } from "@/lib/server/genesys/client";
import { startRedis, type RedisServer } from "@/test/support/redis-server";
import { sharedStoreFor } from "@/test/support/shared-store";

import { emulatorClient } from "../../../support/bff-client";
import { emulatorForFile } from "../../../support/emulator-fixture";

const env = emulatorForFile();

function client(overrides: Record<string, string> = {}): GenesysClient {
  return emulatorClient(env.emu.url, { GENESYS_REQUEST_TIMEOUT_MS: "2000", ...overrides });
}

function callsOf(c: GenesysClient): number {
  return Object.values(c.stats.calls).reduce((sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
}

function byKey(reports: CapabilityReport[]): Record<CapabilityKey, CapabilityReport> {
  return Object.fromEntries(reports.map((r) => [r.key, r])) as Record<CapabilityKey, CapabilityReport>;
}

describe("probeAll", () => {
  it("answers the emulator's defaults, one sentence each, within the call budget", async () => {
    const c = client();
    const reports = await new Capabilities(c).probeAll();
    expect(reports.map((r) => r.key)).toEqual([...CAPABILITY_KEYS]);
    expect(Object.fromEntries(reports.map((r) => [r.key, r.value]))).toEqual({
      sortById: "ok",
      startsWithId: "ok",
      defaultSearchStates: "active+inactive",
      objectCountStates: "active+inactive",
      listWindow: "unlimited",
      exactCaseSensitive: false,
      permittedDivisions: "ok",
      searchTypeLimits: "assumed",
    });
    for (const r of reports) {
      for (const sentence of [r.tested, r.answered, r.action]) expect(sentence, r.key).toMatch(/^[A-Z].*\.$/);
    }
    expect(reports.reduce((sum, r) => sum + r.calls, 0)).toBe(callsOf(c));
    expect(callsOf(c)).toBeLessThanOrEqual(MAX_PROBE_CALLS);
    expect(byKey(reports).searchTypeLimits.calls).toBe(0);
  });

  it("answers every variant at once, and says what Tenantscope does about each", async () => {
    await env.setFaults({ sortById: "ignore", startsWithId: "empty", defaultSearchStates: "active", objectCountStates: "all", listWindow: true, searchTypeLimits: true, exactCaseSensitive: true, permittedDivisionsUserOnly: true });
    const c = client();
    const reports = byKey(await new Capabilities(c).probeAll());
    expect(reports.sortById.value).toBe("ignore");
    expect(reports.sortById.action).toBe("Tenantscope pages without relying on order: it de-duplicates, checks that the pages add up to the total, and re-reads when they do not.");
    expect(reports.startsWithId.value).toBe("empty");
    expect(reports.defaultSearchStates.value).toBe("active");
    expect(reports.objectCountStates.value).toBe("all");
    expect(reports.listWindow.value).toBe("windowed");
    expect(reports.exactCaseSensitive.value).toBe(true);
    expect(reports.permittedDivisions.value).toBe("user-only");
    expect(reports.permittedDivisions.action).toBe(
      "Tenantscope works out the divisions it may read from its own roles (GET /api/v2/tokens/me and each role's permissions); that needs authorization:role:view.",
    );
    expect(reports.searchTypeLimits.value).toBe("assumed");
    expect(callsOf(c)).toBeLessThanOrEqual(MAX_PROBE_CALLS);
  });

  it("answers unknown, without failing, where the client may read no division", async () => {
    const reports = byKey(await new Capabilities(client({ GENESYS_CLIENT_ID: DEMO.clients.misconfigured.id, GENESYS_CLIENT_SECRET: DEMO.clients.misconfigured.secret })).probeAll());
    for (const key of ["sortById", "startsWithId", "defaultSearchStates", "objectCountStates", "exactCaseSensitive"] as const) {
      expect(reports[key].value, key).toBe("unknown");
      expect(reports[key].answered).toContain("the client may read no division");
    }
    expect(reports.permittedDivisions.value).toBe("ok");
  });
});

// One case per knob variant, each asked for alone through get().
const VARIANTS: [string, Record<string, unknown>, CapabilityKey, unknown][] = [
  ["sortById ok", {}, "sortById", "ok"],
  ["sortById reject", { sortById: "reject" }, "sortById", "reject"],
  ["sortById ignore", { sortById: "ignore" }, "sortById", "ignore"],
  ["startsWithId ok", {}, "startsWithId", "ok"],
  ["startsWithId reject", { startsWithId: "reject" }, "startsWithId", "reject"],
  ["startsWithId empty", { startsWithId: "empty" }, "startsWithId", "empty"],
  ["defaultSearchStates active+inactive", {}, "defaultSearchStates", "active+inactive"],
  ["defaultSearchStates active", { defaultSearchStates: "active" }, "defaultSearchStates", "active"],
  ["objectCountStates active+inactive", {}, "objectCountStates", "active+inactive"],
  ["objectCountStates active", { objectCountStates: "active" }, "objectCountStates", "active"],
  ["objectCountStates all", { objectCountStates: "all" }, "objectCountStates", "all"],
  ["listWindow off", {}, "listWindow", "unlimited"],
  ["listWindow on", { listWindow: true }, "listWindow", "windowed"],
  ["exactCaseSensitive off", {}, "exactCaseSensitive", false],
  ["exactCaseSensitive on", { exactCaseSensitive: true }, "exactCaseSensitive", true],
  ["permittedDivisionsUserOnly off", {}, "permittedDivisions", "ok"],
  ["permittedDivisionsUserOnly on", { permittedDivisionsUserOnly: true }, "permittedDivisions", "user-only"],
  ["searchTypeLimits off", {}, "searchTypeLimits", "assumed"],
  ["searchTypeLimits on", { searchTypeLimits: true }, "searchTypeLimits", "assumed"],
];

describe("get() under each knob variant", () => {
  it.each(VARIANTS)("%s", async (_name, knobs, key, expected) => {
    await env.setFaults(knobs);
    const c = client();
    expect(await new Capabilities(c).get(key)).toBe(expected);
    expect(callsOf(c)).toBeLessThanOrEqual(12);
  });

  it("the other knobs do not change an answer (sortById ok under every other variant)", async () => {
    await env.setFaults({ startsWithId: "reject", defaultSearchStates: "active", objectCountStates: "all", listWindow: true, exactCaseSensitive: true, permittedDivisionsUserOnly: true });
    expect(await new Capabilities(client()).get("sortById")).toBe("ok");
  });
});

describe("remembering", () => {
  it("probes once however many ask at the same time, then answers from memory until the TTL", async () => {
    const c = client();
    let now = 1_000_000;
    const caps = new Capabilities(c, undefined, () => now);
    const answers = await Promise.all([caps.get("sortById"), caps.get("sortById"), caps.get("sortById")]);
    expect(answers).toEqual(["ok", "ok", "ok"]);
    const afterProbe = callsOf(c);
    expect(c.stats.calls.postUsersSearch?.[200]).toBeGreaterThan(0);
    expect(await caps.get("sortById")).toBe("ok");
    expect(callsOf(c)).toBe(afterProbe);
    // Probes asked for together share their reads: the division list is read once.
    await caps.get("startsWithId");
    expect(c.stats.calls.getAuthorizationDivisions?.[200]).toBe(1);
    now += 25 * 60 * 60 * 1000;
    await env.setFaults({ sortById: "reject" });
    expect(await caps.get("sortById")).toBe("reject");
  });

  it("probeAll() remembers its answers for get()", async () => {
    await env.setFaults({ startsWithId: "empty" });
    const c = client();
    const caps = new Capabilities(c);
    await caps.probeAll();
    const calls = callsOf(c);
    expect(await caps.get("startsWithId")).toBe("empty");
    expect(callsOf(c)).toBe(calls);
  });

  describe("through Redis", () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it("an answer one instance probed is read by another without probing; another secret cannot read it", async () => {
      await env.setFaults({ sortById: "ignore" });
      const first = sharedStoreFor(redis.url, { prefix: "caps:" }).store;
      const second = sharedStoreFor(redis.url, { prefix: "caps:" }).store;
      const stranger = sharedStoreFor(redis.url, { prefix: "caps:", secret: "another-deployment" }).store;
      try {
        expect(await new Capabilities(client(), first).get("sortById")).toBe("ignore");
        await env.setFaults({ sortById: "ok" });
        const c = client();
        expect(await new Capabilities(c, second).get("sortById")).toBe("ignore");
        expect(callsOf(c)).toBe(0);
        // Sealed: a store with another secret cannot open the entry, so it probes for itself.
        expect(await new Capabilities(client(), stranger).get("sortById")).toBe("ok");
      } finally {
        await Promise.all([first.close(), second.close(), stranger.close()]);
      }
    });
  });
});
