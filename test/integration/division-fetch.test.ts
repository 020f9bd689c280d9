// fetchDivisionUsers end to end against the local Genesys emulator, under every fault it can inject. The
// oracle is the emulator's directory (GET /__emulator/divisions/{id}/user-ids), never the search index: the
// result must be exactly the division's members, and never contain a user of another division.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type RunningEmulator } from "@/emulator/server";
import type { IsolationMode } from "@/lib/server/platform/env";
import { AppError } from "@/lib/server/platform/errors";
import { fetchDivisionUsers, type DivisionUsers, type FetchProgress } from "@/lib/server/divisions/fetch";
import type { GenesysClient } from "@/lib/server/genesys/client";
import { emulatorClient } from "../support/bff-client";
import { DOCUMENTED_ORG } from "../support/documented-org";

const { acme: ACME, globex: GLOBEX, initech: INITECH, umbrella: UMBRELLA, stark: STARK, wayne: WAYNE } = DEMO.divisions;
const VIEW = "directory:user:view";

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

/** A fresh BFF client (own token, budget, limits) with test-friendly settings, plus overrides. */
function client(overrides: Record<string, string> = {}): GenesysClient {
  return emulatorClient(emu.url, { GENESYS_CONCURRENCY: "16", GENESYS_REQUEST_TIMEOUT_MS: "1000", ...overrides });
}

function fetchUsers(divisionId: string, mode: IsolationMode = "verify", overrides: Record<string, string> = {}, onProgress?: (p: FetchProgress) => void) {
  return fetchDivisionUsers(client(overrides), divisionId, { mode, deadlineMs: 45_000, capabilities: DOCUMENTED_ORG, ...(onProgress ? { onProgress } : {}) });
}

/** A control request to the emulator (`/__emulator/...`). */
async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The directory's members (active and inactive) of a division, sorted by id: the ground truth. */
const groundTruth = (divisionId: string): Promise<string[]> =>
  control<string[]>("GET", `divisions/${divisionId}/user-ids?state=any`);

const idsOf = (result: DivisionUsers): string[] => result.users.map((u) => u.id).sort();

/** The rejection of `promise` as an AppError (fails when it resolves or rejects with anything else). */
async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e: unknown) {
    caught = e;
  }
  if (!(caught instanceof AppError)) throw new Error(`expected an AppError, got ${caught === undefined ? "a result" : String(caught)}`);
  return caught;
}

/** No row of another division: every user is labelled with the division asked for and is one of its members. */
function expectIsolated(result: DivisionUsers, divisionId: string, truth: readonly string[]): void {
  const members = new Set(truth);
  expect(result.division.id).toBe(divisionId);
  for (const user of result.users) {
    expect(user.divisionId).toBe(divisionId);
    expect(members.has(user.id), `user ${user.id} is not a member of ${divisionId}`).toBe(true);
  }
  expect(new Set(result.users.map((u) => u.id)).size).toBe(result.users.length);
}

/** Isolated and complete: exactly the ground truth's ids. */
function expectExact(result: DivisionUsers, divisionId: string, truth: readonly string[]): void {
  expectIsolated(result, divisionId, truth);
  expect(idsOf(result)).toEqual([...truth].sort());
  expect(result.meta.isolation.countMatches).toBe(true);
  expect(result.meta.isolation.objectCount).toBe(truth.length);
}

/** Fetches in verify mode and checks the result against the ground truth read afterwards. */
async function fetchExact(divisionId: string, overrides: Record<string, string> = {}): Promise<DivisionUsers> {
  const result = await fetchUsers(divisionId, "verify", overrides);
  const truth = await groundTruth(divisionId);
  expectExact(result, divisionId, truth);
  return result;
}

const statusCount = (status: string): number =>
  Object.values(emu.stats().byOperation).reduce((sum, byStatus) => sum + (byStatus[status] ?? 0), 0);

describe("no fault", () => {
  it.each([
    ["acme", ACME],
    ["globex", GLOBEX],
    ["initech", INITECH],
  ])("returns exactly the members of %s, verified, consistent, nothing dropped", async (_name, divisionId) => {
    const result = await fetchExact(divisionId);
    expect(result.users.length).toBeGreaterThan(0);
    expect(result.meta.consistent).toBe(true);
    expect(result.meta.attempts).toBe(1);
    expect(result.meta.partitions).toBe(1);
    expect(result.meta.isolation.dropped).toEqual([]);
    expect(result.meta.isolation.addedFromDirectory).toBe(0);
    expect(result.meta.isolation.verified).toBe(result.users.length);
    expect(result.meta.searchPages).toBe(Math.ceil(result.users.length / 100));
    expect(result.meta.upstreamCalls).toBeGreaterThan(result.meta.searchPages);
    // The DTO carries no more than the UI shows.
    for (const user of result.users) {
      expect(Object.keys(user).sort()).toEqual(["department", "divisionId", "divisionName", "email", "id", "name", "state", "title", "username"]);
      expect(["active", "inactive"]).toContain(user.state);
    }
  });

  it("returns an empty list for wayne (a division without users), not an error", async () => {
    const result = await fetchExact(WAYNE);
    expect(result.users).toEqual([]);
    expect(result.division.name).toBe("Wayne Logistics");
    expect(result.meta.consistent).toBe(true);
  });

  it("fail-closed mode returns the same exact list when every check passes", async () => {
    const result = await fetchUsers(GLOBEX, "fail-closed");
    expectExact(result, GLOBEX, await groundTruth(GLOBEX));
  });

  it("reports progress: pagesDone counts up to pagesTotal and the last phase is done", async () => {
    const events: FetchProgress[] = [];
    const result = await fetchUsers(INITECH, "verify", {}, (p) => events.push({ ...p }));
    expectExact(result, INITECH, await groundTruth(INITECH));

    expect(events[0]?.phase).toBe("starting");
    const last = events.at(-1);
    expect(last?.phase).toBe("done");
    expect(events.filter((e) => e.phase === "done")).toHaveLength(1);
    expect(last?.pagesDone).toBe(result.meta.searchPages);
    expect(last?.pagesTotal).toBe(result.meta.searchPages);
    expect(last?.expected).toBe(result.users.length);

    const searching = events.filter((e) => e.phase === "searching");
    expect(searching.map((e) => e.pagesDone)).toEqual(Array.from({ length: result.meta.searchPages }, (_, i) => i + 1));
    for (let i = 1; i < events.length; i++) {
      const [prev, cur] = [events[i - 1], events[i]];
      if (!prev || !cur) continue;
      expect(cur.pagesDone).toBeGreaterThanOrEqual(prev.pagesDone);
      expect(cur.pagesTotal).toBeGreaterThanOrEqual(prev.pagesTotal);
      expect(cur.rows).toBeGreaterThanOrEqual(prev.rows);
    }
    for (const e of events) expect(e.pagesDone).toBeLessThanOrEqual(e.pagesTotal);
    // The bar is never full early: from the first page on, the total is the division's own page count.
    expect(searching[0]?.pagesTotal).toBe(Math.ceil(result.users.length / 100));
  });

  it("says when it waits for Genesys' Retry-After, with the seconds, and stops saying so when it goes on", async () => {
    // Seeded dice (see the p429 case below): the opening calls draw several 429s, each with Retry-After 1 s.
    emu.setFaults({ p429: 0.3 });
    const events: FetchProgress[] = [];
    const result = await fetchUsers(ACME, "verify", { GENESYS_MAX_RETRIES: "8" }, (p) => events.push({ ...p }));
    expectExact(result, ACME, await groundTruth(ACME));
    const waits = events.filter((e) => e.waiting);
    expect(waits.length).toBeGreaterThan(0);
    // Retry-After 1 s, stretched by the retry policy's backoff and jitter.
    for (const w of waits) {
      expect(w.waiting?.reason).toBe("rate-limit");
      expect(w.waiting?.seconds).toBeGreaterThanOrEqual(1);
      expect(w.waiting?.seconds).toBeLessThanOrEqual(10);
    }
    expect(events.at(-1)?.waiting).toBeUndefined();
  });
});

describe("transient upstream faults: retried until the exact list is complete", () => {
  it("429s (p429 0.3)", async () => {
    emu.setFaults({ p429: 0.3 });
    // The emulator's fault dice are seeded and restart on reset(): seed 1's stream opens 0.056, 0.931, 0.086,
    // 0.065, 0.110, 0.074, 0.128, so the very first call (getAuthorizationDivision) always draws six 429s in a
    // row and exhausts the default 5 retries. Eight retries make the run about the retry path, not that
    // fixed opening. Retry-After is 1 s on every injected 429; a 200 ms cap keeps the test fast.
    const result = await fetchExact(INITECH, { GENESYS_RETRY_AFTER_CAP_MS: "200", GENESYS_MAX_RETRIES: "8" });
    expect(statusCount("429")).toBeGreaterThan(0);
    expect(result.meta.upstreamCalls).toBeGreaterThan(result.meta.searchPages * 2 + 2);
  });

  it("5xx (p5xx 0.2)", async () => {
    emu.setFaults({ p5xx: 0.2 });
    await fetchExact(INITECH);
    expect(statusCount("500") + statusCount("503") + statusCount("504")).toBeGreaterThan(0);
  });

  it("hung requests (timeoutRate 0.05, hangMs 60 s) with a 500 ms request timeout", async () => {
    emu.setFaults({ timeoutRate: { rate: 0.05, hangMs: 60_000 } });
    const started = Date.now();
    await fetchExact(INITECH, { GENESYS_REQUEST_TIMEOUT_MS: "500" });
    // Hung requests were abandoned after the request timeout, not waited out.
    expect(statusCount("0")).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("truncated bodies (malformedRate 0.1)", async () => {
    emu.setFaults({ malformedRate: 0.1 });
    const result = await fetchExact(INITECH);
    // Truncated bodies are 200s that the client had to retry.
    expect(result.meta.upstreamCalls).toBeGreaterThan(result.meta.searchPages * 2 + 2);
  });
});

describe("tokens", () => {
  it("renews a token that expires mid-fetch (1 s lifetime, fetch spanning > 1 s)", async () => {
    await control("PUT", `clients/${DEMO.clients.bff.id}`, { accessTokenValiditySeconds: 1 });
    emu.setFaults({ latencyMs: 60 });
    // Two at a time at 60 ms each: initech's ~52 calls need at least 26 × 60 ms, longer than the token lives.
    const result = await fetchExact(INITECH, { GENESYS_CONCURRENCY: "2" });
    expect(result.meta.durationMs).toBeGreaterThan(1_000);
    expect(emu.stats().tokensIssued).toBeGreaterThanOrEqual(2);
  });

  it("recovers from revocation of every token mid-fetch (revokeTokens afterRequests 10)", async () => {
    emu.setFaults({ revokeTokens: { afterRequests: 10 } });
    await fetchExact(INITECH);
    expect(statusCount("401")).toBeGreaterThan(0);
    expect(emu.stats().tokensIssued).toBeGreaterThanOrEqual(2);
  });
});

describe("isolation faults", () => {
  it("leak: rows of other divisions are dropped (search-division-mismatch) and none reach the list", async () => {
    emu.setFaults({ leak: { count: 3 } });
    const result = await fetchExact(GLOBEX);
    const leaked = result.meta.isolation.dropped.filter((d) => d.reason === "search-division-mismatch");
    expect(leaked).toHaveLength(3);
    expect(result.meta.isolation.dropped).toHaveLength(3);
    const returned = new Set(result.users.map((u) => u.id));
    for (const row of leaked) {
      expect(row.searchDivisionId).toBeDefined();
      expect(row.searchDivisionId).not.toBe(GLOBEX);
      expect(returned.has(row.id)).toBe(false);
    }
    expect(result.meta.isolation.checked).toBe(result.users.length + 3);
  });

  it("staleIndex: moved-out rows are dropped (directory-division-mismatch) and moved-in members are found", async () => {
    emu.setFaults({ staleIndex: { count: 5 } });
    const result = await fetchExact(INITECH);
    const stale = result.meta.isolation.dropped.filter((d) => d.reason === "directory-division-mismatch");
    expect(stale).toHaveLength(5);
    const returned = new Set(result.users.map((u) => u.id));
    for (const row of stale) {
      expect(row.searchDivisionId).toBe(INITECH);
      expect(row.directoryDivisionId).toBeDefined();
      expect(row.directoryDivisionId).not.toBe(INITECH);
      expect(returned.has(row.id)).toBe(false);
    }
    expect(result.meta.isolation.addedFromDirectory).toBeGreaterThan(0);
    expect(result.meta.isolation.addedFromDirectory).toBe(5);
  });

  it("moveDuringPaging: users moving between pages still yield exactly the membership after the fetch", async () => {
    emu.setFaults({ moveDuringPaging: { perRequest: 1, maxMoves: 6 } });
    const before = await groundTruth(INITECH);
    // fetchExact reads the ground truth AFTER the fetch.
    const result = await fetchExact(INITECH);
    const after = await groundTruth(INITECH);
    expect(after).not.toEqual(before);
    // Exactness is the claim. Whether a pass also noticed the moves (and was repeated) depends on when each
    // move lands relative to the concurrent pages: a loaded machine can read every page after the moves.
    const { attempts, isolation } = result.meta;
    console.log(`[figure] moveDuringPaging: attempts ${attempts}, dropped ${isolation.dropped.length}, added from directory ${isolation.addedFromDirectory}`);
  });
});

describe("a division beyond the 10,000-result search window", () => {
  it("returns all of umbrella's ~12,000 users through several id-prefix partitions", async () => {
    const truth = await groundTruth(UMBRELLA);
    expect(truth.length).toBeGreaterThan(10_000);
    const result = await fetchUsers(UMBRELLA, "verify", { GENESYS_REQUESTS_PER_MINUTE: "299" });
    expectExact(result, UMBRELLA, truth);
    expect(result.meta.partitions).toBeGreaterThan(1);
    expect(result.users.length).toBe(result.meta.isolation.objectCount);
    expect(result.meta.consistent).toBe(true);
    // ~250 calls: seconds on a quiet machine, more under load.
  }, 90_000);
});

describe("a partition that turns out beyond the search window", () => {
  it("is split by id prefix when the index holds far more rows than the division's count promised", async () => {
    // Freeze the index, then move 4,100 of umbrella's users out in the directory only: objectCounts.USER
    // (~7,900) plans a single partition, but search still answers ~12,000 rows, beyond the 10,000 window.
    emu.state.indexFrozen = true;
    const moved = emu.state.memberIds(UMBRELLA).slice(0, 4_100);
    for (const id of moved) emu.state.moveUser(id, DEMO.divisions.home);
    const truth = await groundTruth(UMBRELLA);
    expect(truth.length).toBeLessThan(8_000);

    const result = await fetchUsers(UMBRELLA, "verify", { GENESYS_REQUESTS_PER_MINUTE: "299" });
    expectExact(result, UMBRELLA, truth);
    expect(result.meta.partitions).toBeGreaterThan(1);
    const stale = result.meta.isolation.dropped.filter((d) => d.reason === "directory-division-mismatch");
    expect(stale.map((d) => d.id).sort()).toEqual([...moved].sort());
    for (const row of stale) expect(row.directoryDivisionId).toBe(DEMO.divisions.home);
    // ~250 calls: seconds on a quiet machine, more under load.
  }, 90_000);
});

describe("cancellation", () => {
  it("rejects with the signal's reason when aborted mid-fetch, and stops calling upstream", async () => {
    const controller = new AbortController();
    const reason = new Error("viewer navigated away");
    emu.setFaults({ latencyMs: 20 });
    const started = Date.now();
    const fetching = fetchDivisionUsers(client({ GENESYS_CONCURRENCY: "2" }), INITECH, {
      mode: "verify",
      deadlineMs: 45_000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "searching" && p.pagesDone === 3) controller.abort(reason);
      },
    });
    await expect(fetching).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
    const callsAtAbort = emu.stats().total;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // At most the requests already in flight when it aborted complete afterwards.
    expect(emu.stats().total - callsAtAbort).toBeLessThanOrEqual(2);
  });
});

describe("errors", () => {
  it("refuses the ungranted stark division with upstream_forbidden naming the permission and the division", async () => {
    const error = await appErrorOf(fetchUsers(STARK));
    expect(error.code).toBe("upstream_forbidden");
    expect(error.status).toBe(403);
    expect(error.details?.permission).toBe(VIEW);
    expect(error.details?.divisionName).toBe("Stark Retail");
    expect(error.details?.divisionId).toBe(STARK);
    // Round one asks only about the division and the grant: no search goes out and no user data is read.
    expect(emu.stats().byOperation.postUsersSearch).toBeUndefined();
    expect(emu.stats().byOperation.getUsers).toBeUndefined();
  });

  it("reports an unknown but well-formed division id as not_found", async () => {
    const error = await appErrorOf(fetchUsers("0badc0de-0000-4000-8000-000000000000"));
    expect(error.code).toBe("not_found");
    expect(error.status).toBe(404);
    // Round one asks only about the division and the grant: no search goes out and no user data is read.
    expect(emu.stats().byOperation.postUsersSearch).toBeUndefined();
    expect(emu.stats().byOperation.getUsers).toBeUndefined();
  });

  it.each(["not-a-uuid", "../etc", "", `${ACME}/../x`, `${ACME} `])("rejects the malformed id %j with bad_request and no upstream call", async (divisionId) => {
    const before = emu.stats().total;
    const error = await appErrorOf(fetchUsers(divisionId));
    expect(error.code).toBe("bad_request");
    expect(emu.stats().total).toBe(before);
    expect(emu.stats().tokensIssued).toBe(0);
  });
});

describe("isolation modes", () => {
  it("search-only under leak: the row-level check still drops other divisions' rows", async () => {
    emu.setFaults({ leak: { count: 3 } });
    const result = await fetchUsers(GLOBEX, "search-only");
    expectExact(result, GLOBEX, await groundTruth(GLOBEX));
    expect(result.meta.isolation.mode).toBe("search-only");
    expect(result.meta.isolation.verified).toBe(0);
    expect(result.meta.isolation.dropped.filter((d) => d.reason === "search-division-mismatch")).toHaveLength(3);
    expect(emu.stats().byOperation.getUsers).toBeUndefined();
  });

  it("search-only under staleIndex: without the directory check, moved-out users are returned (documented limitation)", async () => {
    emu.setFaults({ staleIndex: { count: 5 } });
    const result = await fetchUsers(INITECH, "search-only");
    const truth = await groundTruth(INITECH);
    const members = new Set(truth);
    const returned = new Set(result.users.map((u) => u.id));
    const notMembers = [...returned].filter((id) => !members.has(id));
    const missing = truth.filter((id) => !returned.has(id));
    // search-only trusts the index: the 5 users moved out are still listed (labelled with the requested
    // division, since the index says so), and the 5 moved in are missing. The count happens to match, so
    // nothing in meta flags it; only the verify modes catch this.
    expect(notMembers).toHaveLength(5);
    expect(missing).toHaveLength(5);
    for (const user of result.users) expect(user.divisionId).toBe(INITECH);
    expect(result.meta.isolation.verified).toBe(0);
    expect(result.meta.isolation.addedFromDirectory).toBe(0);
    expect(result.meta.isolation.dropped).toEqual([]);
    expect(result.users).toHaveLength(truth.length);
  });

  it("fail-closed under leak: withholds the list with isolation_violation", async () => {
    emu.setFaults({ leak: { count: 3 } });
    const error = await appErrorOf(fetchUsers(GLOBEX, "fail-closed"));
    expect(error.code).toBe("isolation_violation");
    expect(error.details?.divisionId).toBe(GLOBEX);
    expect(error.details?.dropped).toBe(3);
  });
});
