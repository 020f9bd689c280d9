// Issue 13, item 4: rows shown while a cold fetch runs. The rule under test: a row may be sent ahead of the
// result only once a read of the live directory made during the fetch placed the user in this division, never
// on search's word. The oracle is the emulator's directory at the very moment each batch is sent (onRows runs
// synchronously inside the fetch), under the faults that make search lie: leak, staleIndex, moveDuringPaging.
import { describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { fetchDivisionUsers, type DivisionUsers, type RowsBatch } from "@/lib/server/divisions/fetch";
import { OrgSnapshotSource } from "@/lib/server/divisions/org-snapshot";
import type { Strategy } from "@/lib/server/divisions/fetch-plan";
import type { IsolationMode } from "@/lib/server/platform/env";

import { emulatorClient } from "../support/bff-client";
import { DOCUMENTED_ORG } from "../support/documented-org";
import { emulatorForFile } from "../support/emulator-fixture";

const { globex: GLOBEX, initech: INITECH, umbrella: UMBRELLA } = DEMO.divisions;

const env = emulatorForFile();

interface Streamed {
  batches: RowsBatch[];
  /** Rows the directory placed elsewhere (or nowhere) when they were sent: must stay empty. */
  outsiders: string[];
  result: DivisionUsers;
}

/** A fetch whose every batch of early rows is checked against the emulator's directory as it is sent. */
async function fetchStreamed(divisionId: string, strategy: Strategy, mode: IsolationMode = "verify"): Promise<Streamed> {
  const client = emulatorClient(env.emu.url, { GENESYS_CONCURRENCY: "16", GENESYS_REQUEST_TIMEOUT_MS: "2000" });
  const batches: RowsBatch[] = [];
  const outsiders: string[] = [];
  const onRows = (batch: RowsBatch) => {
    batches.push(batch);
    for (const u of batch.users) {
      const now = env.emu.state.users.get(u.id);
      if (now?.divisionId !== divisionId || now.state === "deleted") outsiders.push(`${u.id} (in ${now?.divisionId ?? "no division"}, ${now?.state ?? "unknown"})`);
    }
  };
  const snapshot = new OrgSnapshotSource({ client, ttlMs: 0, deadlineMs: 45_000 });
  const result = await fetchDivisionUsers(client, divisionId, { mode, deadlineMs: 45_000, capabilities: DOCUMENTED_ORG, snapshot, strategy, onRows });
  return { batches, outsiders, result };
}

const idsIn = (batches: readonly RowsBatch[]): string[] => batches.flatMap((b) => b.users.map((u) => u.id));

/** The checks every streamed fetch must pass, whatever the fault. */
function expectSound({ batches, outsiders, result }: Streamed, divisionId: string, membersNow: ReadonlySet<string>): void {
  expect(outsiders).toEqual([]);
  const streamed = idsIn(batches);
  expect(streamed.length, "rows were sent ahead of the result").toBeGreaterThan(0);
  // Each user once, the running count as sent, Genesys' count as the goal.
  expect(new Set(streamed).size).toBe(streamed.length);
  let sent = 0;
  for (const b of batches) {
    sent += b.users.length;
    expect(b.verified).toBe(sent);
    expect(b.expected).toBe(result.meta.isolation.objectCount ?? b.expected);
    for (const u of b.users) expect(u.divisionId).toBe(divisionId);
  }
  // Nothing sent early that the result then lacks, unless the user has left the division since.
  const final = new Set(result.users.map((u) => u.id));
  expect(streamed.filter((id) => !final.has(id) && membersNow.has(id))).toEqual([]);
  // Rows the isolation step ruled out on search's word (and that are not members by another way) were never sent.
  const ruledOut = result.meta.isolation.dropped.filter((d) => d.reason !== "moved-out" && !final.has(d.id)).map((d) => d.id);
  expect(streamed.filter((id) => ruledOut.includes(id))).toEqual([]);
}

/** The directory's members now (active and inactive). */
const members = (divisionId: string): Set<string> => new Set(env.emu.state.memberIds(divisionId));

describe.each([
  ["search", GLOBEX],
  ["snapshot", INITECH],
] as const)("rows sent ahead of the result (%s strategy)", (strategy, divisionId) => {
  it("without faults: every member is sent, each once, before the fetch ends", async () => {
    const streamed = await fetchStreamed(divisionId, strategy);
    expectSound(streamed, divisionId, members(divisionId));
    expect(new Set(idsIn(streamed.batches))).toEqual(new Set(streamed.result.users.map((u) => u.id)));
  });

  it("leak: no leaked user of another division is ever sent", async () => {
    env.emu.setFaults({ leak: { count: 5 } });
    const streamed = await fetchStreamed(divisionId, strategy);
    const leaked = streamed.result.meta.isolation.dropped.filter((d) => d.reason === "search-division-mismatch");
    expect(leaked.length, "the fault leaked users into the search").toBeGreaterThan(0);
    expectSound(streamed, divisionId, members(divisionId));
  });

  it("staleIndex: users the index still places here, who left, are never sent; those who joined are", async () => {
    const before = members(divisionId);
    env.emu.setFaults({ staleIndex: { count: 5 } });
    const now = members(divisionId);
    const left = [...before].filter((id) => !now.has(id));
    const joined = [...now].filter((id) => !before.has(id));
    expect(left.length, "the fault moved members out behind the index's back").toBeGreaterThan(0);
    expect(joined.length, "and others in").toBeGreaterThan(0);
    const streamed = await fetchStreamed(divisionId, strategy);
    expectSound(streamed, divisionId, members(divisionId));
    const sent = new Set(idsIn(streamed.batches));
    expect(left.filter((id) => sent.has(id))).toEqual([]);
    expect(joined.filter((id) => !sent.has(id))).toEqual([]);
  });

  it("moveDuringPaging: a user sent was in the division when sent, and is in the result unless they left since", async () => {
    env.emu.setFaults({ moveDuringPaging: { perRequest: 2, maxMoves: 10 } });
    const before = members(divisionId);
    const streamed = await fetchStreamed(divisionId, strategy);
    const after = members(divisionId);
    expect([...before].some((id) => !after.has(id)), "the fault moved members out").toBe(true);
    expectSound(streamed, divisionId, after);
  });
});

describe("when rows are not sent ahead", () => {
  it.each(["fail-closed", "search-only"] as const)("%s mode sends none (fail-closed may yet withhold the whole list; search-only confirms nothing)", async (mode) => {
    const streamed = await fetchStreamed(GLOBEX, "search", mode);
    expect(streamed.result.users.length).toBeGreaterThan(0);
    expect(streamed.batches).toEqual([]);
  });
});

describe("a cold 12,000-user division", () => {
  it("sends its first rows long before the fetch ends, and every member by the end", async () => {
    const sentAt: number[] = [];
    const client = emulatorClient(env.emu.url, { GENESYS_CONCURRENCY: "8" });
    const started = performance.now();
    const batches: RowsBatch[] = [];
    const result = await fetchDivisionUsers(client, UMBRELLA, {
      mode: "verify",
      deadlineMs: 60_000,
      capabilities: DOCUMENTED_ORG,
      orgUsers: 20_000,
      onRows: (b) => {
        sentAt.push(performance.now() - started);
        batches.push(b);
      },
    });
    const total = performance.now() - started;
    expect(result.meta.strategy).toBe("snapshot");
    expect(new Set(idsIn(batches))).toEqual(new Set(result.users.map((u) => u.id)));
    // Ordering, not a stopwatch: the first batch comes before half the fetch has passed, and in many batches.
    expect(sentAt[0] ?? Infinity).toBeLessThan(total / 2);
    expect(batches.length).toBeGreaterThan(10);
  }, 90_000);
});
