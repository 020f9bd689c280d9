import { describe, expect, it } from "vitest";

import { DivisionCache, MemoryStore } from "@/lib/server/divisions/cache";
import type { DivisionUsers, RowsBatch, UserDto } from "@/lib/server/divisions/fetch";
import { AppError } from "@/lib/server/platform/errors";

// The cache in isolation: a fake clock and a loader we control.

function result(tag: string, consistent = true): DivisionUsers {
  return {
    division: { id: "d", name: tag },
    users: [],
    meta: {
      strategy: "search",
      plan: "test",
      fetchedAt: "2026-01-01T00:00:00.000Z",
      durationMs: 1,
      searchPages: 1,
      upstreamCalls: 1,
      partitions: 1,
      attempts: 1,
      consistent,
      consistencyNotes: [],
      isolation: { mode: "verify", checked: 0, verified: 0, dropped: [], addedFromDirectory: 0, objectCount: 0, countMatches: true },
    },
  };
}

function setup(options: { ttlMs?: number; staleMs?: number; forceMs?: number; maxEntries?: number } = {}) {
  let now = 0;
  let loads = 0;
  let next: () => Promise<DivisionUsers> = async () => result(`load-${loads}`);
  const store = new MemoryStore<DivisionUsers>(options.maxEntries ?? 10);
  const cache = new DivisionCache({
    load: async (_id, onProgress) => {
      loads++;
      onProgress({ phase: "searching", pagesDone: 1, pagesTotal: 2, rows: 100, expected: 200 });
      return next();
    },
    store,
    ttlMs: options.ttlMs ?? 1_000,
    staleMs: options.staleMs ?? 5_000,
    forceRefreshMinIntervalMs: options.forceMs ?? 30_000,
    now: () => now,
  });
  return {
    cache,
    store,
    advance: (ms: number) => (now += ms),
    loads: () => loads,
    setLoader: (fn: () => Promise<DivisionUsers>) => (next = fn),
  };
}

function user(id: string): UserDto {
  return { id, name: id, email: "", username: "", title: "", department: "", state: "active", divisionId: "d", divisionName: "D" };
}

describe("DivisionCache", () => {
  it("rows streamed by a load reach every caller of it: one that joins late gets those sent before it at once", async () => {
    let sendRows: (b: RowsBatch) => void = () => undefined;
    let release: (v: DivisionUsers) => void = () => undefined;
    const cache = new DivisionCache({
      load: (_id, _onProgress, onRows) => {
        sendRows = onRows;
        return new Promise((r) => (release = r));
      },
      store: new MemoryStore<DivisionUsers>(10),
      ttlMs: 1_000,
      staleMs: 0,
      forceRefreshMinIntervalMs: 0,
    });
    const early: RowsBatch[] = [];
    const late: RowsBatch[] = [];
    const first = cache.get("d", { onRows: (b) => early.push(b) });
    await Promise.resolve();
    sendRows({ users: [user("a"), user("b")], verified: 2, expected: 5 });
    const second = cache.get("d", { onRows: (b) => late.push(b) });
    await new Promise((r) => setTimeout(r, 0));
    expect(late).toEqual([{ users: [user("a"), user("b")], verified: 2, expected: 5 }]);
    sendRows({ users: [user("c")], verified: 3, expected: 5 });
    release(result("done"));
    await Promise.all([first, second]);
    expect(early.map((b) => b.users.map((u) => u.id))).toEqual([["a", "b"], ["c"]]);
    expect(late.map((b) => b.users.map((u) => u.id))).toEqual([["a", "b"], ["c"]]);
    // The load is over: a later caller gets the cached result and no rows.
    const after: RowsBatch[] = [];
    await cache.get("d", { onRows: (b) => after.push(b) });
    expect(after).toEqual([]);
  });

  it("single-flight: 50 concurrent callers for a cold division cause one load and share its result", async () => {
    const t = setup();
    let release: (v: DivisionUsers) => void = () => undefined;
    t.setLoader(() => new Promise((r) => (release = r)));
    const pending = Array.from({ length: 50 }, () => t.cache.get("d"));
    await Promise.resolve();
    release(result("shared"));
    const all = await Promise.all(pending);
    expect(t.loads()).toBe(1);
    expect(new Set(all.map((r) => r.value)).size).toBe(1);
    expect(t.cache.stats.joins).toBe(49);
  });

  it("serves fresh within the TTL, stale while revalidating after it, and loads again past the stale window", async () => {
    const t = setup({ ttlMs: 1_000, staleMs: 5_000 });
    expect((await t.cache.get("d")).freshness).toBe("loaded");
    t.advance(500);
    expect((await t.cache.get("d")).freshness).toBe("fresh");
    t.advance(1_000);
    const stale = await t.cache.get("d");
    expect(stale).toMatchObject({ freshness: "stale", revalidating: true });
    expect(t.loads()).toBe(2); // the background refresh started
    await Promise.resolve();
    t.advance(10_000);
    expect((await t.cache.get("d")).freshness).toBe("loaded");
  });

  it("never serves an inconsistent result as fresh: the next request gets it labelled stale and starts a refetch", async () => {
    const t = setup({ ttlMs: 300_000, staleMs: 60_000 });
    t.setLoader(async () => result("off", false));
    expect((await t.cache.get("d")).freshness).toBe("loaded");
    t.advance(1);
    // The refetch this request starts adds up.
    t.setLoader(async () => result("good"));
    const next = await t.cache.get("d");
    expect(next).toMatchObject({ freshness: "stale", revalidating: true, value: { division: { name: "off" } } });
    expect(t.loads()).toBe(2);
    await new Promise((r) => setTimeout(r, 0));
    // A result that adds up is fresh for the whole TTL.
    t.advance(200_000);
    expect(await t.cache.get("d")).toMatchObject({ freshness: "fresh", value: { division: { name: "good" } } });
    expect(t.loads()).toBe(2);
  });

  it("keeps serving the last good list, labelled stale with its age, while the upstream is down", async () => {
    const t = setup({ ttlMs: 1_000, staleMs: 1_000 });
    await t.cache.get("d");
    t.advance(60_000);
    t.setLoader(async () => {
      throw new AppError("upstream_unavailable", "down");
    });
    const r = await t.cache.get("d");
    expect(r.freshness).toBe("stale");
    expect(r.ageMs).toBe(60_000);
    expect(r.refreshError?.code).toBe("upstream_unavailable");
  });

  it("does not paper over a refusal with stale data", async () => {
    const t = setup({ ttlMs: 1_000, staleMs: 1_000 });
    await t.cache.get("d");
    t.advance(60_000);
    t.setLoader(async () => {
      throw new AppError("upstream_forbidden", "no grant");
    });
    await expect(t.cache.get("d")).rejects.toMatchObject({ code: "upstream_forbidden" });
  });

  it("rate-limits forced refreshes per division", async () => {
    const t = setup({ forceMs: 30_000 });
    await t.cache.get("d", { force: true });
    await expect(t.cache.get("d", { force: true })).rejects.toMatchObject({ code: "rate_limited", details: { retryAfterSeconds: 30 } });
    t.advance(30_000);
    await expect(t.cache.get("d", { force: true })).resolves.toMatchObject({ freshness: "loaded" });
    expect(t.loads()).toBe(2);
  });

  it("reports progress to callers joining a load in flight", async () => {
    const t = setup();
    let release: (v: DivisionUsers) => void = () => undefined;
    t.setLoader(() => new Promise((r) => (release = r)));
    const first = t.cache.get("d");
    await Promise.resolve();
    const seen: number[] = [];
    const second = t.cache.get("d", { onProgress: (p) => seen.push(p.pagesDone) });
    await Promise.resolve();
    expect(t.cache.progress("d")).toMatchObject({ pagesDone: 1, pagesTotal: 2 });
    release(result("x"));
    await Promise.all([first, second]);
    expect(seen).toEqual([1]);
    expect(t.cache.progress("d")).toBeNull();
  });

  it("refresh (admin diagnostics) joins a load in flight instead of starting another, and ignores the forced-refresh interval", async () => {
    const t = setup({ forceMs: 30_000 });
    let release: (v: DivisionUsers) => void = () => undefined;
    t.setLoader(() => new Promise((r) => (release = r)));
    const viewer = t.cache.get("d");
    const tests = [t.cache.refresh("d"), t.cache.refresh("d")];
    await Promise.resolve();
    release(result("shared"));
    const [seen, ...tested] = await Promise.all([viewer, ...tests]);
    expect(t.loads()).toBe(1);
    expect(tested.every((v) => v === seen?.value)).toBe(true);

    // Not a manager's forced refresh: no minimum interval, and what it read is cached for everyone.
    t.setLoader(async () => result("again"));
    await t.cache.get("d", { force: true });
    expect((await t.cache.refresh("d")).division.name).toBe("again");
    expect(t.loads()).toBe(3);
    expect((await t.cache.get("d")).freshness).toBe("fresh");
  });

  it("refresh reports the upstream's failure rather than serving the stale list", async () => {
    const t = setup({ ttlMs: 1_000, staleMs: 100_000 });
    await t.cache.get("d");
    t.advance(5_000);
    t.setLoader(async () => {
      throw new AppError("upstream_unavailable", "down");
    });
    await expect(t.cache.refresh("d")).rejects.toMatchObject({ code: "upstream_unavailable" });
  });

  it("bounds memory: the least recently used division is evicted", async () => {
    const t = setup({ maxEntries: 2 });
    await t.cache.get("a");
    await t.cache.get("b");
    await t.cache.get("a");
    await t.cache.get("c");
    expect(t.store.size).toBe(2);
    expect(await t.store.get("b")).toBeUndefined();
    expect(await t.store.get("a")).toBeDefined();
  });
});
