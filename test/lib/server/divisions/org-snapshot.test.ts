// The org snapshot (one paged pass over GET /api/v2/users?state=active serving every division) against the
// local Genesys emulator, and across two instances through a real Redis. The oracle is the emulator's
// directory (GET /__emulator/divisions/{id}/user-ids?state=active), never the listing itself. Each pass costs
// ~3-5 s here: the in-process emulator sorts the whole org (15,143 users) for every page, hence the timeouts.
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { startEmulator, type RunningEmulator } from "@/emulator/server";
import { OrgSnapshotSource, type OrgSnapshot, type OrgSnapshotProgress } from "@/lib/server/divisions/org-snapshot";
import type { OrgSnapshotTimings } from "@/lib/server/divisions/org-snapshot-shared";
import { GenesysClient, type CallOptions } from "@/lib/server/genesys/client";
import { SharedStore } from "@/lib/server/shared-state/store";
import { emulatorEnv } from "@/test/support/bff-client";
import { groundTruth } from "@/test/support/genesys-test-clients";
import { startRedis, type RedisServer } from "@/test/support/redis-server";

const PAGE_SIZE = 500;
const TTL_MS = 60_000;
const TIMINGS: OrgSnapshotTimings = { leaseMs: 2_000, followPollMs: 20, progressEveryMs: 10, outcomeTtlMs: 10_000 };

let emu: RunningEmulator;
let redis: RedisServer;
const stores: SharedStore[] = [];

beforeAll(async () => {
  [emu, redis] = await Promise.all([startEmulator({ port: 0 }), startRedis()]);
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all([emu?.stop(), redis?.stop()]);
});

beforeEach(() => {
  emu.reset();
  emu.resetStats();
});

/**
 * A BFF client against the emulator; `beforePage` runs just before a page is asked for (to change the
 * directory while a pass pages it, as another admin would).
 */
class ListingClient extends GenesysClient {
  pagesAsked = 0;
  constructor(private readonly beforePage: (pageNumber: number, pagesAsked: number) => void = () => undefined) {
    // The emulator sorts the whole org for each page (~100-250 ms of this process's CPU per call), so
    // concurrent pages queue behind each other: a generous timeout keeps retries out of the call counts.
    const env = emulatorEnv(emu.url, { GENESYS_CONCURRENCY: "8", GENESYS_REQUEST_TIMEOUT_MS: "20000" });
    super({ genesys: env.genesys, fetch: env.fetch });
  }

  override listActiveUsersPage(pageNumber: number, opts: CallOptions = {}) {
    this.beforePage(pageNumber, ++this.pagesAsked);
    return super.listActiveUsersPage(pageNumber, opts);
  }
}

function source(options: { client?: GenesysClient; shared?: SharedStore; now?: () => number; ttlMs?: number } = {}): OrgSnapshotSource {
  return new OrgSnapshotSource({
    client: options.client ?? new ListingClient(),
    ttlMs: options.ttlMs ?? TTL_MS,
    deadlineMs: 30_000,
    timings: TIMINGS,
    ...(options.shared ? { shared: options.shared, keyPrefix: "org-snapshot:test" } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/**
 * One instance's Redis connection. The emulator runs in this process and keeps its event loop busy while it
 * sorts the org for each page, so Redis replies are read late: the production command timeout (1 s), not
 * the shorter one of test/support/shared-store.ts.
 */
function redisStore(prefix: string, url = redis.url): SharedStore {
  const store = new SharedStore({ url, keyPrefix: prefix, sealingSecret: "the-bff-client-secret", logger: pino({ level: "silent" }), connectTimeoutMs: 1_000 });
  stores.push(store);
  return store;
}

/** Active members of every division, by division id (divisions without any left out), ids sorted. */
async function activeTruth(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const divisionId of emu.state.divisions.keys()) {
    const ids = await groundTruth(emu.url, divisionId, "active");
    if (ids.length > 0) out.set(divisionId, ids);
  }
  return out;
}

function idsByDivision(snapshot: OrgSnapshot): Map<string, string[]> {
  return new Map([...snapshot.byDivision].map(([divisionId, users]) => [divisionId, users.map((u) => u.id).sort()]));
}

const total = (truth: Map<string, string[]>) => [...truth.values()].reduce((sum, ids) => sum + ids.length, 0);

/** GET /api/v2/users requests the emulator answered (every client, every status). */
const listingCalls = () => Object.values(emu.stats().byOperation.getUsers ?? {}).reduce((sum, n) => sum + n, 0);

/** Makes an active user inactive in the directory, as an admin would (the emulator has no control route for it). */
function deactivate(userId: string): void {
  const user = emu.state.users.get(userId);
  if (!user) throw new Error(`no user ${userId}`);
  user.state = "inactive";
  user.version++;
}

/** The active user sorted first by the listing (name, then id): on page 1, so removing them shifts every later page. */
function firstListedActiveUser(): string {
  const active = [...emu.state.users.values()].filter((u) => u.state === "active");
  const byName = new Intl.Collator("en");
  active.sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  const first = active[0];
  if (!first) throw new Error("no active user");
  return first.id;
}

describe("one pass over the org", { timeout: 60_000 }, () => {
  it("groups every active user by division, exactly as the directory has them, in ceil(active/500) calls", async () => {
    const truth = await activeTruth();
    const active = total(truth);
    const snapshot = await source().get();

    expect(idsByDivision(snapshot)).toEqual(truth);
    for (const [divisionId, users] of snapshot.byDivision) {
      for (const user of users) {
        expect(user.division?.id).toBe(divisionId);
        expect(user.state).toBe("active");
      }
    }
    const pages = Math.ceil(active / PAGE_SIZE);
    expect(snapshot).toMatchObject({ activeTotal: active, listedTotal: active, consistent: true, pages, passes: 1, upstreamCalls: pages });
    expect(listingCalls()).toBe(pages);
  });

  it("serves a second get within the TTL from the cache, without a call; after it, reads the org again", async () => {
    let clock = Date.now();
    const snapshots = source({ now: () => clock });
    expect(snapshots.peek()).toBeNull();
    const first = await snapshots.get();
    const calls = listingCalls();

    clock += TTL_MS - 1;
    expect(snapshots.peek()).toBe(first);
    expect(await snapshots.get()).toBe(first);
    expect(listingCalls()).toBe(calls);

    clock += 1;
    expect(snapshots.peek()).toBeNull();
    const second = await snapshots.get();
    expect(second).not.toBe(first);
    expect(listingCalls()).toBe(2 * calls);
  });

  it("shares one pass between concurrent callers, each told the progress", async () => {
    const snapshots = source();
    const seen: OrgSnapshotProgress[][] = [[], [], [], [], []];
    const results = await Promise.all(seen.map((progress) => snapshots.get({ onProgress: (p) => progress.push(p) })));

    for (const result of results) expect(result).toBe(results[0]);
    const pages = results[0]?.pages ?? 0;
    expect(listingCalls()).toBe(pages);
    for (const progress of seen) expect(progress.at(-1)).toEqual({ pagesDone: pages, pagesTotal: pages });
  });

  it("a forced get reads the org again even while the snapshot is fresh", async () => {
    const snapshots = source();
    const first = await snapshots.get();
    const forced = await snapshots.get({ force: true });
    expect(forced).not.toBe(first);
    expect(listingCalls()).toBe(2 * first.pages);
    expect(snapshots.peek()).toBe(forced);
  });

  it("a caller that leaves stops waiting; the pass stops once every caller has left, and nothing is cached", async () => {
    emu.setFaults({ latency: { latencyMs: 200, jitterMs: 0 } });
    const snapshots = source();
    const controller = new AbortController();
    const pending = snapshots.get({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("viewer left")), 50);
    await expect(pending).rejects.toThrow("viewer left");
    await new Promise((r) => setTimeout(r, 600));
    // Page 1 was on the wire already; the others, still waiting for a slot or the budget, were never sent.
    expect(listingCalls()).toBe(1);
    expect(snapshots.peek()).toBeNull();
  });
});

describe("a directory that changes while it is paged", { timeout: 60_000 }, () => {
  it("with the moveDuringPaging fault the result is still exact, or flagged inconsistent", async () => {
    // The fault moves users while a division's *search* is paged; the listing is its own read, but whatever
    // the fault reaches, no active user may be lost, doubled or invented without the snapshot saying so.
    emu.setFaults({ moveDuringPaging: { perRequest: 3, maxMoves: 30 } });
    const snapshot = await source().get();
    const truth = await activeTruth();
    if (!snapshot.consistent) {
      expect(snapshot.passes).toBe(2);
      return;
    }
    const listed = [...snapshot.byDivision.values()].flatMap((users) => users.map((u) => u.id));
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.sort()).toEqual([...truth.values()].flat().sort());
    // Exact, but for users moved after their page was read (see the next test), at most the fault's moves.
    const misplaced = [...snapshot.byDivision].flatMap(([divisionId, users]) => users.filter((u) => !truth.get(divisionId)?.includes(u.id)));
    expect(misplaced.length).toBeLessThanOrEqual(30);
  });

  it("a user moved to another division after their page was read keeps the division of the read (a move shifts no page)", async () => {
    // The listing is ordered by name, so a move changes no page and no total: nothing to detect. The
    // snapshot is the directory as of each page's read, as any cached view is as of its fetch.
    const mover = firstListedActiveUser();
    const from = emu.state.users.get(mover)?.divisionId;
    const to = [...emu.state.divisions.keys()].find((id) => id !== from);
    if (!from || !to) throw new Error("seed has fewer than two divisions");
    const client = new ListingClient((pageNumber, asked) => {
      if (pageNumber === 2 && asked === 2) emu.state.moveUser(mover, to);
    });
    const snapshot = await source({ client }).get();
    expect(snapshot).toMatchObject({ consistent: true, passes: 1 });
    expect(snapshot.byDivision.get(from)?.some((u) => u.id === mover)).toBe(true);
    expect(snapshot.byDivision.get(to)?.some((u) => u.id === mover) ?? false).toBe(false);
  });

  it("a user leaving the listing after page 1 (pages shift) is caught, and a second pass that adds up is kept", async () => {
    const leaving = firstListedActiveUser();
    const client = new ListingClient((pageNumber, asked) => {
      if (pageNumber === 2 && asked === 2) deactivate(leaving);
    });
    const snapshot = await source({ client }).get();
    const truth = await activeTruth();

    expect(snapshot.passes).toBe(2);
    expect(snapshot.consistent).toBe(true);
    expect(idsByDivision(snapshot)).toEqual(truth);
    expect(snapshot.activeTotal).toBe(total(truth));
    expect(snapshot.pages).toBe(Math.ceil((total(truth) + 1) / PAGE_SIZE) + Math.ceil(total(truth) / PAGE_SIZE));
  });

  it("a listing that keeps changing is returned after two passes, marked inconsistent", async () => {
    const client = new ListingClient((pageNumber) => {
      if (pageNumber === 2) deactivate(firstListedActiveUser());
    });
    const snapshot = await source({ client }).get();
    expect(snapshot).toMatchObject({ consistent: false, passes: 2 });
    // Still only users the directory calls active (and in the division it says), even when some are missing.
    const truth = await activeTruth();
    for (const [divisionId, ids] of idsByDivision(snapshot)) {
      const members = new Set(truth.get(divisionId));
      for (const id of ids) expect(members.has(id) || emu.state.users.get(id)?.state === "inactive").toBe(true);
    }
  });

  it("a failed pass is not cached: the next get reads again", async () => {
    // The first request asks for page 0, which Genesys refuses (400: not retried, and no strike for the circuit breaker).
    class FailingOnce extends ListingClient {
      override listActiveUsersPage(pageNumber: number, opts: CallOptions = {}) {
        return super.listActiveUsersPage(this.pagesAsked === 0 ? 0 : pageNumber, opts);
      }
    }
    const snapshots = source({ client: new FailingOnce() });
    await expect(snapshots.get()).rejects.toMatchObject({ name: "AppError", code: "upstream_bad_request" });
    expect(snapshots.peek()).toBeNull();
    const snapshot = await snapshots.get();
    expect(snapshot.consistent).toBe(true);
  });
});

describe("two instances sharing one Redis", { timeout: 60_000 }, () => {
  function instance(prefix: string): OrgSnapshotSource {
    return source({ shared: redisStore(prefix) });
  }

  it("make one pass between them: one leads, the other follows its progress and reads the stored result", async () => {
    const prefix = `snap-${Date.now()}:`;
    const [a, b] = [instance(prefix), instance(prefix)];
    const progressOfB: OrgSnapshotProgress[] = [];
    const [fromA, fromB] = await Promise.all([a.get(), b.get({ onProgress: (p) => progressOfB.push(p) })]);

    const pages = fromA.pages;
    expect(listingCalls()).toBe(pages);
    expect(fromB.fetchedAt).toBe(fromA.fetchedAt);
    expect(idsByDivision(fromB)).toEqual(idsByDivision(fromA));
    expect(idsByDivision(fromA)).toEqual(await activeTruth());
    expect(progressOfB.at(-1)).toEqual({ pagesDone: pages, pagesTotal: pages });

    // A third instance started later reads the stored snapshot: no call at all.
    const c = instance(prefix);
    expect(c.peek()).toBeNull();
    const fromC = await c.get();
    expect(fromC.fetchedAt).toBe(fromA.fetchedAt);
    expect(listingCalls()).toBe(pages);
  });

  it("store the snapshot sealed: Redis holds no readable user", async () => {
    const store = redisStore(`sealed-${Date.now()}:`);
    const snapshot = await source({ shared: store }).get();
    const someone = [...snapshot.byDivision.values()][0]?.[0];
    const raw = await store.use("test", (r) => r.hgetBuffer(store.key("org-snapshot:test", "entry"), "sealed"), () => null);
    expect(raw).not.toBeNull();
    expect(raw?.includes(someone?.id ?? "missing")).toBe(false);
    expect(raw?.includes(someone?.email ?? "missing")).toBe(false);
  });

  it("an instance whose Redis is gone reads the org on its own", async () => {
    const store = redisStore("gone:", "redis://127.0.0.1:1");
    const snapshot = await source({ shared: store }).get();
    expect(snapshot.consistent).toBe(true);
    expect(listingCalls()).toBe(snapshot.pages);
  });
});
