// Issue 12, finding 7, against the local emulator: a user who moves out of a division while its fetch pages
// must not be in the result, however the fetch read them (search rows, a cached org pass, a pass shared by
// concurrent fetches). The oracle is the emulator's directory read after the fetch, never the fetch's reads.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { fetchDivisionUsers, type DivisionUsers, type FetchOptions } from "@/lib/server/divisions/fetch";
import { OrgSnapshotSource } from "@/lib/server/divisions/org-snapshot";
import { Capabilities, GenesysClient, type ApiUser, type CallOptions, type UserSearchBody } from "@/lib/server/genesys";

import { emulatorEnv } from "../support/bff-client";
import { emulatorForFile } from "../support/emulator-fixture";

const { acme: ACME, globex: GLOBEX, initech: INITECH, umbrella: UMBRELLA } = DEMO.divisions;

const env = emulatorForFile();

/** The BFF's client; `beforeLaterPage` runs before each search request for a page past the first. */
class WatchedClient extends GenesysClient {
  private readonly reads = new Set<Promise<unknown>>();
  constructor(private readonly beforeLaterPage: (client: WatchedClient) => Promise<void> = async () => undefined) {
    const e = emulatorEnv(env.emu.url, { GENESYS_CONCURRENCY: "16", GENESYS_REQUEST_TIMEOUT_MS: "2000" });
    super({ genesys: e.genesys, fetch: e.fetch });
  }

  override async searchUsers(body: UserSearchBody, opts: CallOptions = {}) {
    if ((body.pageNumber ?? 1) > 1) await this.beforeLaterPage(this);
    return super.searchUsers(body, opts);
  }

  override getUsersByIds(ids: string[], opts: CallOptions = {}): Promise<ApiUser[]> {
    const read = super.getUsersByIds(ids, opts);
    this.reads.add(read);
    void read.finally(() => this.reads.delete(read)).catch(() => undefined);
    return read;
  }

  /** Until every bulk read already sent has been answered. */
  async readsSettled(): Promise<void> {
    await Promise.allSettled([...this.reads]);
  }
}

/** A process's worth of BFF state: one client, what it learned of the org, one org pass shared by every division. */
function bff(client = new WatchedClient()) {
  const capabilities = new Capabilities(client);
  const snapshot = new OrgSnapshotSource({ client, ttlMs: 60_000, deadlineMs: 60_000 });
  const fetchUsers = async (divisionId: string, extra: Partial<FetchOptions> = {}): Promise<DivisionUsers> => {
    const orgUsers = (await client.listDivisions()).reduce((n, d) => n + (d.objectCounts?.USER ?? 0), 0);
    return fetchDivisionUsers(client, divisionId, { mode: "verify", deadlineMs: 60_000, capabilities, snapshot, orgUsers, ...extra });
  };
  return { client, fetchUsers };
}

const truth = async (divisionId: string): Promise<string[]> => ((await (await fetch(`${env.emu.url}/__emulator/divisions/${divisionId}/user-ids`)).json()) as string[]).sort();
const divisionOf = (id: string) => env.emu.state.users.get(id)?.divisionId;

/** Served users the directory, read now, places elsewhere: must be none. */
async function outsiders(result: DivisionUsers): Promise<string[]> {
  const members = new Set(await truth(result.division.id));
  return result.users.filter((u) => !members.has(u.id)).map((u) => `${u.id} (now in ${divisionOf(u.id) ?? "no division"})`);
}

describe("a user who moves out while the division is searched", () => {
  it("is dropped even when their page was read, and the pages still add up, before they moved", async () => {
    const members = await truth(GLOBEX);
    // A (on page 1 of the id-sorted search) leaves for Acme; B, whose id sorts before every member, joins: page 1
    // changes, the later pages and the total do not, so nothing in the pages shows the move.
    const [leaving] = members;
    const joining = [...env.emu.state.users.values()].filter((u) => u.divisionId === UMBRELLA && u.state === "active" && u.id < (members[0] ?? "")).map((u) => u.id)[0];
    if (!leaving || !joining) throw new Error("seed: no user to move");
    let moved: Promise<void> | undefined;
    const client = new WatchedClient((c) =>
      (moved ??= (async () => {
        // After any bulk read of page 1's rows has been answered: the move comes after such a read.
        await c.readsSettled();
        env.emu.state.moveUser(leaving, ACME);
        env.emu.state.moveUser(joining, GLOBEX);
      })()),
    );
    const result = await bff(client).fetchUsers(GLOBEX, { strategy: "search" });

    expect(moved, "the search read a second page").toBeDefined();
    expect(result.meta.attempts).toBe(1);
    expect(await outsiders(result)).toEqual([]);
    expect(result.users.map((u) => u.id).sort()).toEqual(await truth(GLOBEX));
    expect(result.meta.isolation.dropped).toContainEqual({ id: leaving, reason: "directory-division-mismatch", searchDivisionId: GLOBEX, directoryDivisionId: ACME });
    expect(result.meta.isolation.addedFromDirectory).toBe(1);
    expect(result.meta.consistent).toBe(true);
  });
});

describe("a cached org pass while users move", () => {
  it("lists nobody who left during the inactive search, records them as moved-out, and finds who joined", async () => {
    const { fetchUsers } = bff();
    // The org pass is cached by a first fetch; then each search request for a later page moves 5 users.
    const warm = await fetchUsers(INITECH);
    expect(warm.meta.strategy).toBe("snapshot");
    await env.setFaults({ moveDuringPaging: { perRequest: 5, maxMoves: 10 } });
    const before = new Set(await truth(INITECH));

    const result = await fetchUsers(INITECH);

    const after = await truth(INITECH);
    const left = [...before].filter((id) => !after.includes(id));
    expect(left.length, "the fault moved members out").toBeGreaterThan(0);
    expect(await outsiders(result)).toEqual([]);
    expect(result.users.map((u) => u.id).sort()).toEqual(after);
    const movedOut = result.meta.isolation.dropped.filter((d) => d.reason === "moved-out");
    expect(movedOut.map((d) => d.id).sort()).toEqual(left.sort());
    for (const d of movedOut) expect(d.directoryDivisionId).toBe(divisionOf(d.id));
    // The members who joined are found by a new pass, the one the count check asks for.
    expect(result.meta.isolation.addedFromDirectory).toBe(after.filter((id) => !before.has(id)).length);
    expect(result.meta.consistent).toBe(true);
  });

  it("with two divisions fetched at once over one pass, neither lists a user who moved out", async () => {
    const { fetchUsers } = bff();
    await fetchUsers(INITECH);
    // All moves happen on the first two search requests for a later page; Initech's inactive search has 3
    // pages and Umbrella's 12, so each fetch's last search page comes after every move.
    await env.setFaults({ moveDuringPaging: { perRequest: 5, maxMoves: 10 } });
    const before = [...(await truth(INITECH)), ...(await truth(UMBRELLA))];
    const results = await Promise.all([fetchUsers(INITECH), fetchUsers(UMBRELLA)]);
    const after = [...(await truth(INITECH)), ...(await truth(UMBRELLA))];
    expect(after, "the fault moved users").not.toEqual(before);
    for (const result of results) {
      expect(result.meta.searchPages).toBeGreaterThanOrEqual(3);
      expect(await outsiders(result), result.division.name).toEqual([]);
      expect(result.users.map((u) => u.id).sort()).toEqual(await truth(result.division.id));
    }
  });
});
