import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DivisionCache, LocalCoordination, MemoryStore } from "@/lib/server/divisions/cache";
import type { DivisionUsers, FetchProgress } from "@/lib/server/divisions/fetch";
import { AppError } from "@/lib/server/platform/errors";
import { SharedCacheStore, SharedCoordination } from "@/lib/server/divisions/shared-cache";
import { startRedis, type RedisServer } from "@/test/support/redis-server";
import { sharedStoreFor } from "@/test/support/shared-store";

// Two "instances" of the division cache (own Redis connection, own memory, own loader) sharing one Redis.

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

function result(tag: string, users = 3): DivisionUsers {
  return {
    division: { id: "d1", name: tag },
    users: Array.from({ length: users }, (_, i) => ({
      id: `u${i}`,
      name: `User ${i}`,
      email: `u${i}@example.com`,
      username: `u${i}`,
      title: "",
      department: "",
      state: "active" as const,
      divisionId: "d1",
      divisionName: tag,
    })),
    meta: {
      strategy: "search",
      plan: "test",
      fetchedAt: "2026-01-01T00:00:00.000Z",
      durationMs: 1,
      searchPages: 1,
      upstreamCalls: 2,
      partitions: 1,
      attempts: 1,
      consistent: true,
      consistencyNotes: [],
      isolation: { mode: "verify", checked: users, verified: users, dropped: [], addedFromDirectory: 0, objectCount: users, countMatches: true },
    },
  };
}

interface Instance {
  cache: DivisionCache;
  loads: () => number;
  setLoader(fn: (onProgress: (p: FetchProgress) => void) => Promise<DivisionUsers>): void;
  close(): Promise<void>;
}

const TIMINGS = { leaseMs: 600, followPollMs: 20, progressEveryMs: 10, outcomeTtlMs: 5_000 };

function instance(prefix: string, options: { forceMs?: number } = {}): Instance {
  const { store } = sharedStoreFor(redis.url, { prefix });
  let loads = 0;
  let loader: (onProgress: (p: FetchProgress) => void) => Promise<DivisionUsers> = async () => result("default");
  const key = (kind: string) => (id: string, ...rest: string[]) => store.key(kind, id, ...rest);
  const cache = new DivisionCache({
    load: async (_id, onProgress) => {
      loads++;
      return loader(onProgress);
    },
    store: new SharedCacheStore(store, key("division"), new MemoryStore<DivisionUsers>(10), 60_000),
    coordination: new SharedCoordination(
      store,
      { lock: key("lock"), progress: key("progress"), outcome: key("outcome"), forced: key("forced") },
      new LocalCoordination(),
      10_000,
      TIMINGS,
    ),
    ttlMs: 30_000,
    staleMs: 30_000,
    forceRefreshMinIntervalMs: options.forceMs ?? 30_000,
  });
  return {
    cache,
    loads: () => loads,
    setLoader: (fn) => (loader = fn),
    close: () => store.close(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the division cache shared through Redis", () => {
  it("a cold division opened on two instances at once is loaded once; the other relays progress and reads the result", async () => {
    const [a, b] = [instance("c1:"), instance("c1:")];
    const slow = async (onProgress: (p: FetchProgress) => void) => {
      for (let page = 1; page <= 3; page++) {
        onProgress({ phase: "searching", pagesDone: page, pagesTotal: 3, rows: page * 100, expected: 300 });
        await sleep(80);
      }
      return result("loaded", 300);
    };
    a!.setLoader(slow);
    b!.setLoader(slow);
    const seenByB: FetchProgress[] = [];
    const [fromA, fromB, fromB2] = await Promise.all([
      a!.cache.get("d1"),
      sleep(20).then(() => b!.cache.get("d1", { onProgress: (p) => seenByB.push(p) })),
      sleep(30).then(() => b!.cache.get("d1")),
    ]);
    expect(a!.loads() + b!.loads()).toBe(1);
    expect(fromA.value.users).toHaveLength(300);
    expect(fromB.value).toEqual(fromA.value);
    expect(fromB2.value).toEqual(fromA.value);
    expect(seenByB.length).toBeGreaterThan(0);
    expect(seenByB.at(-1)?.pagesDone).toBeGreaterThanOrEqual(2);
    // Afterwards both serve it from the cache.
    expect((await b!.cache.get("d1")).freshness).toBe("fresh");
    expect(a!.loads() + b!.loads()).toBe(1);
    await Promise.all([a!.close(), b!.close()]);
  });

  it("a load that fails fails its followers with the same error, without a second upstream attempt", async () => {
    const [a, b] = [instance("c2:"), instance("c2:")];
    const failing = async () => {
      await sleep(100);
      throw new AppError("upstream_unavailable", "Genesys Cloud is not answering.", { details: { correlationId: "abc" } });
    };
    a!.setLoader(failing);
    b!.setLoader(failing);
    const outcomes = await Promise.allSettled([a!.cache.get("d1"), sleep(20).then(() => b!.cache.get("d1"))]);
    expect(a!.loads() + b!.loads()).toBe(1);
    for (const o of outcomes) {
      expect(o.status).toBe("rejected");
      const reason = (o as PromiseRejectedResult).reason as AppError;
      expect(reason).toBeInstanceOf(AppError);
      expect(reason.code).toBe("upstream_unavailable");
      expect(reason.details?.correlationId).toBe("abc");
    }
    await Promise.all([a!.close(), b!.close()]);
  });

  it("when the leader dies mid-load, a follower takes over once the lease runs out", async () => {
    const { store } = sharedStoreFor(redis.url, { prefix: "c3:" });
    // A "crashed" leader: it holds the lease and never renews, publishes or releases.
    await store.use("test", (r) => r.set("c3:lock:d1", "dead-leader", "PX", TIMINGS.leaseMs), () => null);
    const b = instance("c3:");
    b.setLoader(async () => result("taken over"));
    const started = Date.now();
    const got = await b.cache.get("d1");
    expect(got.value.division.name).toBe("taken over");
    expect(b.loads()).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMINGS.leaseMs - 100);
    await Promise.all([b.close(), store.close()]);
  });

  it("an entry tampered with in Redis is not served", async () => {
    const a = instance("c4:");
    const b = instance("c4:");
    a.setLoader(async () => result("genuine"));
    await a.cache.get("d1");
    const { store } = sharedStoreFor(redis.url, { prefix: "c4:" });
    // Someone with write access to Redis plants another division's rows under d1's key.
    const forged = store.seal("c4:division:d2", JSON.stringify({ value: result("forged"), storedAt: Date.now() }));
    await store.use("test", (r) => r.hset("c4:division:d1", { storedAt: String(Date.now() + 1), sealed: forged }), () => null);
    b.setLoader(async () => result("reloaded"));
    const got = await b.cache.get("d1");
    expect(got.value.division.name).toBe("reloaded");
    await Promise.all([a.close(), b.close(), store.close()]);
  });

  it("a forced refresh is allowed once per interval across instances", async () => {
    const [a, b] = [instance("c5:", { forceMs: 10_000 }), instance("c5:", { forceMs: 10_000 })];
    await a.cache.get("d1", { force: true });
    await expect(b.cache.get("d1", { force: true })).rejects.toMatchObject({ code: "rate_limited" });
    await Promise.all([a.close(), b.close()]);
  });

  it("with Redis gone, each instance loads and serves on its own, without errors", async () => {
    const [a, b] = [instance("c6:"), instance("c6:")];
    a.setLoader(async () => result("a"));
    b.setLoader(async () => result("b"));
    await a.cache.get("d1");
    await b.cache.get("d1");
    expect(a.loads() + b.loads()).toBe(1);
    await redis.kill();
    try {
      // a still has its decoded copy; b never decoded one: it loads itself.
      expect((await a.cache.get("d1")).value.division.name).toBe("a");
      expect((await b.cache.get("d2")).value.division.name).toBe("b");
      expect(b.loads()).toBe(1);
    } finally {
      await redis.restart();
      await Promise.all([a.close(), b.close()]);
    }
  });
});
