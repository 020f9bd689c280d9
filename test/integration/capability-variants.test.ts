// The division fetch under every variant of the Genesys behaviour public evidence does not confirm (the
// emulator's knobs), alone and all at once, with and without the isolation faults. The oracle is the
// emulator's directory (GET /__emulator/divisions/{id}/user-ids): every answer is exactly the division's
// members, or an error that names the missing capability — never a wrong set.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { OrgSnapshotSource } from "@/lib/server/divisions/org-snapshot";
import { fetchDivisionUsers, type DivisionUsers } from "@/lib/server/divisions/fetch";
import { Capabilities } from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform/errors";

import { emulatorClient } from "../support/bff-client";
import { emulatorForFile } from "../support/emulator-fixture";
import { EVERY_KNOB_VARIANT, KNOB_VARIANTS } from "../support/knob-variants";

const { acme: ACME, initech: INITECH, umbrella: UMBRELLA, wayne: EMPTY } = DEMO.divisions;
const DIVISIONS = { acme: ACME, initech: INITECH, umbrella: UMBRELLA, empty: EMPTY };

const env = emulatorForFile();

async function truth(divisionId: string): Promise<string[]> {
  return ((await (await fetch(`${env.emu.url}/__emulator/divisions/${divisionId}/user-ids`)).json()) as string[]).sort();
}

/** A process's worth of BFF state: one client, what it learned of the org, one org pass for every division. */
function bff() {
  const client = emulatorClient(env.emu.url, { GENESYS_CONCURRENCY: "16", GENESYS_REQUEST_TIMEOUT_MS: "2000" });
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

describe.each(Object.entries(KNOB_VARIANTS))("%s", (_name, knob) => {
  it("every division: exactly its members", async () => {
    await env.setFaults(knob);
    const { fetchUsers } = bff();
    for (const divisionId of Object.values(DIVISIONS)) {
      expect(await expectExactOrNamed(fetchUsers(divisionId), divisionId)).toBe("exact");
    }
  });
});

describe("every knob at once", () => {
  it("every division: exactly its members, or an error naming the capability", async () => {
    await env.setFaults(EVERY_KNOB_VARIANT);
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
    await env.setFaults(EVERY_KNOB_VARIANT);
    const { fetchUsers, warm } = bff();
    // The fault then plays on the fetch's own requests (a probe's paging would move users behind its back).
    await warm();
    await env.setFaults(fault);
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
