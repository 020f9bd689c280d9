// The isolation step (verify.ts) against the local emulator: what the search and an org pass propose is
// served only where a read made after the last search page confirms it. Users are moved by hand between the
// proposal and the confirming read, as the moveDuringPaging fault would while a fetch pages.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { readDirectory } from "@/lib/server/divisions/confirm";
import { verifyMembership, type Listed, type SearchOutcome, type VerifyOptions } from "@/lib/server/divisions/verify";
import type { ApiUser, AuthzDivision, GenesysClient } from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform/errors";

import { emulatorClient } from "../../../support/bff-client";
import { emulatorForFile } from "../../../support/emulator-fixture";

const { acme: ACME, globex: GLOBEX, umbrella: UMBRELLA } = DEMO.divisions;
const env = emulatorForFile();

interface Setup {
  client: GenesysClient;
  division: AuthzDivision;
  /** Globex's active members as the directory has them now. */
  members: ApiUser[];
}

async function setup(): Promise<Setup> {
  const client = emulatorClient(env.emu.url);
  const ids = env.emu.state.memberIds(GLOBEX, ["active"]).slice(0, 100);
  return { client, division: await client.getDivision(GLOBEX), members: await client.getUsersByIds(ids) };
}

function outcome(over: Partial<SearchOutcome>): SearchOutcome {
  return { rows: new Map(), directory: new Map(), dropped: [], consistent: true, listed: { users: [], current: false }, ...over };
}

function options(over: Partial<VerifyOptions> = {}): VerifyOptions {
  return { mode: "verify", call: {}, expected: null, countStates: "active+inactive", activeFromDirectory: null, onReconcile: () => undefined, ...over };
}

const idsOf = (m: ReadonlyMap<string, unknown>) => [...m.keys()].sort();

/** The directory's users for `ids`, whatever their number. */
async function readAll(client: GenesysClient, ids: string[]): Promise<ApiUser[]> {
  return [...(await readDirectory(client, ids, {})).values()].filter((u): u is ApiUser => u !== null);
}

describe("members an org pass listed before the last search page", () => {
  it("are served only where the read after that page confirms them; one who moved out is recorded as moved-out", async () => {
    const { client, division, members } = await setup();
    const [mover] = members;
    if (!mover) throw new Error("seed: Globex has no active user");
    env.emu.state.moveUser(mover.id, ACME);
    const directory = await readDirectory(client, members.map((u) => u.id), {});
    const result = await verifyMembership(client, division, outcome({ directory, listed: { users: members, current: false } }), options());
    expect(result.members.has(mover.id)).toBe(false);
    expect(result.members.size).toBe(members.length - 1);
    expect(result.dropped).toEqual([{ id: mover.id, reason: "moved-out", directoryDivisionId: ACME }]);
  });

  it("a pass begun after the last search page is itself the confirming read: no other answer needed", async () => {
    const { client, division, members } = await setup();
    const result = await verifyMembership(client, division, outcome({ listed: { users: members, current: true } }), options());
    expect(idsOf(result.members)).toEqual(members.map((u) => u.id).sort());
    expect(result.dropped).toEqual([]);
  });

  it("fail-closed withholds the list when anyone moved out", async () => {
    const { client, division, members } = await setup();
    const [mover] = members;
    if (!mover) throw new Error("seed: Globex has no active user");
    env.emu.state.moveUser(mover.id, ACME);
    const directory = await readDirectory(client, members.map((u) => u.id), {});
    const withheld = verifyMembership(client, division, outcome({ directory, listed: { users: members, current: false } }), options({ mode: "fail-closed" }));
    await expect(withheld).rejects.toBeInstanceOf(AppError);
    await expect(withheld).rejects.toMatchObject({ code: "isolation_violation" });
  });
});

describe("search rows", () => {
  it("one who moved out after their page is dropped even though the list then holds more rows than Genesys counts", async () => {
    const { client, division } = await setup();
    const all = await client.getUsersByIds(env.emu.state.memberIds(GLOBEX).slice(0, 100));
    const [mover] = all;
    if (!mover) throw new Error("seed: Globex has no user");
    const rows = new Map(all.map((u) => [u.id, { user: u }]));
    env.emu.state.moveUser(mover.id, ACME);
    const directory = await readDirectory(client, rows.keys(), {});
    const result = await verifyMembership(client, division, outcome({ rows, directory }), options({ expected: all.length - 1 }));
    expect(result.dropped).toEqual([{ id: mover.id, reason: "directory-division-mismatch", searchDivisionId: GLOBEX, directoryDivisionId: ACME }]);
    expect(result.members.size).toBe(all.length - 1);
    expect(result.countMatches).toBe(true);
  });
});

describe("members the count says are missing", () => {
  it("from a pass older than the confirming read are re-read; a new pass is asked for while the count still says more", async () => {
    const { client, division } = await setup();
    const everyone = env.emu.state.memberIds(GLOBEX);
    const [missed, leaver, ...rest] = await client.getUsersByIds(env.emu.state.memberIds(GLOBEX, ["active"]).slice(0, 2));
    const joiner = [...env.emu.state.users.values()].find((u) => u.divisionId === UMBRELLA && u.state === "active")?.id;
    if (!missed || !leaver || !joiner || rest.length > 0) throw new Error("seed: not enough users");
    // The search proposed every member but `missed` and `leaver`; the old pass lists both, the new one the joiner.
    const rowIds = everyone.filter((id) => id !== missed.id && id !== leaver.id);
    const rows = new Map((await readAll(client, rowIds)).map((u) => [u.id, { user: u }]));
    env.emu.state.moveUser(leaver.id, ACME);
    env.emu.state.moveUser(joiner, GLOBEX);
    const [joined] = await client.getUsersByIds([joiner]);
    const directory = await readDirectory(client, rowIds, {});
    if (!joined) throw new Error("the joiner is not in the directory");
    const asked: boolean[] = [];
    const oldPass: Listed = { users: [missed, leaver], current: false };
    const newPass: Listed = { users: [joined], current: true };
    const result = await verifyMembership(
      client,
      division,
      outcome({ rows, directory }),
      options({
        expected: everyone.length,
        activeFromDirectory: async (force) => {
          asked.push(force);
          return force ? newPass : oldPass;
        },
      }),
    );
    expect(asked).toEqual([false, true]);
    expect(idsOf(result.members)).toEqual(env.emu.state.memberIds(GLOBEX));
    expect(result.addedFromDirectory).toBe(2);
    expect(result.dropped).toEqual([{ id: leaver.id, reason: "moved-out", directoryDivisionId: ACME }]);
    expect(result.countMatches).toBe(true);
  });
});
