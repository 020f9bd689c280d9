// The division fetch under every variant of the Genesys behaviour public evidence does not confirm (the
// emulator's knobs), alone and all at once, with and without the isolation faults. The oracle is the
// emulator's directory (GET /__emulator/divisions/{id}/user-ids): every answer is exactly the division's
// members, or an error that names the missing capability — never a wrong set.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { OrgSnapshotSource } from "@/lib/server/divisions/org-snapshot";
import { fetchDivisionUsers, type DivisionUsers } from "@/lib/server/divisions/fetch";
import { Capabilities } from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform/errors";

import { emulatorClient } from "../support/bff-client";

const { acme: ACME, initech: INITECH, umbrella: UMBRELLA, wayne: EMPTY } = DEMO.divisions;
const DIVISIONS = { acme: ACME, initech: INITECH, umbrella: UMBRELLA, empty: EMPTY };

/** Each knob's non-default variants (the default is the documented behaviour). */
const VARIANTS: Record<string, Record<string, unknown>> = {
  "sortById ignore": { sortById: "ignore" },
  "sortById reject": { sortById: "reject" },
  "startsWithId reject": { startsWithId: "reject" },
  "startsWithId empty": { startsWithId: "empty" },
  "defaultSearchStates active": { defaultSearchStates: "active" },
  "objectCountStates active": { objectCountStates: "active" },
  "objectCountStates all": { objectCountStates: "all" },
  listWindow: { listWindow: true },
  searchTypeLimits: { searchTypeLimits: true },
  exactCaseSensitive: { exactCaseSensitive: true },
  permittedDivisionsUserOnly: { permittedDivisionsUserOnly: true },
};
const ALL_AT_ONCE = {
  sortById: "ignore",
  startsWithId: "empty",
  defaultSearchStates: "active",
  objectCountStates: "all",
  listWindow: true,
  searchTypeLimits: true,
  exactCaseSensitive: true,
  permittedDivisionsUserOnly: true,
};

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await emu?.stop();
});

beforeEach(() => {
  emu.reset();
});

async function setFaults(faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/faults`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(faults) });
  if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

async function truth(divisionId: string): Promise<string[]> {
  return ((await (await fetch(`${emu.url}/__emulator/divisions/${divisionId}/user-ids`)).json()) as string[]).sort();
}

/** A process's worth of BFF state: one client, what it learned of the org, one org pass for every division. */
function bff() {
  const client = emulatorClient(emu.url, { GENESYS_CONCURRENCY: "16", GENESYS_REQUEST_TIMEOUT_MS: "2000" });
  const capabilities = new Capabilities(client);
  const snapshot = new OrgSnapshotSource({ client, ttlMs: 60_000, deadlineMs: 60_000 });
  /** Probes what the org supports now, as a running app would have by its first fetch. */
  const warm = async (): Promise<void> => {
    for (const key of ["sortById", "startsWithId", "objectCountStates", "permittedDivisions"] as const) await capabilities.get(key);
  };
  const fetchUsers = async (divisionId: string): Promise<DivisionUsers> => {
    const orgUsers = (await client.listDivisions()).reduce((n, d) => n + (d.objectCounts?.USER ?? 0), 0);
    return fetchDivisionUsers(client, divisionId, { mode: "verify", deadlineMs: 60_000, capabilities, snapshot, orgUsers });
  };
  return { fetchUsers, warm };
}

/** Exactly the members, or an AppError naming the capability that made a complete answer impossible. */
async function expectExactOrNamed(result: Promise<DivisionUsers>, divisionId: string): Promise<"exact" | "refused"> {
  let value: DivisionUsers;
  try {
    value = await result;
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(AppError);
    const app = e as AppError;
    expect(app.code).toBe("incomplete_result");
    expect(typeof app.details?.capability).toBe("string");
    return "refused";
  }
  const ids = value.users.map((u) => u.id).sort();
  expect(ids).toEqual(await truth(divisionId));
  for (const u of value.users) expect(u.divisionId).toBe(divisionId);
  return "exact";
}

describe.each(Object.entries(VARIANTS))("%s", (_name, knob) => {
  it("every division: exactly its members", async () => {
    await setFaults(knob);
    const { fetchUsers } = bff();
    for (const divisionId of Object.values(DIVISIONS)) {
      expect(await expectExactOrNamed(fetchUsers(divisionId), divisionId)).toBe("exact");
    }
  });
});

describe("every knob at once", () => {
  it("every division: exactly its members, or an error naming the capability", async () => {
    await setFaults(ALL_AT_ONCE);
    const { fetchUsers } = bff();
    const outcomes: Record<string, string> = {};
    for (const [name, divisionId] of Object.entries(DIVISIONS)) outcomes[name] = await expectExactOrNamed(fetchUsers(divisionId), divisionId);
    // The directory holds every active user and the inactive ones fit the search window: nothing is impossible here.
    expect(outcomes).toEqual({ acme: "exact", initech: "exact", umbrella: "exact", empty: "exact" });
  });

  it.each([
    ["leak", { leak: { count: 3 } }],
    ["staleIndex", { staleIndex: { count: 5 } }],
    ["moveDuringPaging", { moveDuringPaging: { perRequest: 1, maxMoves: 10 } }],
  ])("with %s: no row of another division", async (_fault, fault) => {
    await setFaults(ALL_AT_ONCE);
    const { fetchUsers, warm } = bff();
    // The fault then plays on the fetch's own requests (a probe's paging would move users behind its back).
    await warm();
    await setFaults(fault);
    for (const divisionId of [ACME, INITECH]) {
      const result = await fetchUsers(divisionId);
      const members = new Set(await truth(divisionId));
      for (const u of result.users) {
        expect(u.divisionId).toBe(divisionId);
        expect(members.has(u.id), `${u.id} is not a member of ${divisionId}`).toBe(true);
      }
    }
  });
});
