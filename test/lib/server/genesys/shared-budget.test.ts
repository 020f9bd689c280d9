import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SlidingWindowBudget, type Grant } from "@/lib/server/genesys/request-limiter";
import { SharedBudget } from "@/lib/server/genesys/shared-budget";
import { startRedis, type RedisServer } from "@/test/support/redis-server";
import { sharedStoreFor } from "@/test/support/shared-store";

// The per-minute budget shared by instances through a real Redis (windows shortened to a second or two).

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

const WINDOW_MS = 1_000;

/** Two "instances": separate connections and local budgets, one shared window. */
function instances(prefix: string, perWindow: number, inFlightMs = 5_000) {
  return [0, 1].map(() => {
    const { store } = sharedStoreFor(redis.url, { prefix });
    const local = new SlidingWindowBudget(perWindow, Date.now, WINDOW_MS);
    return { store, local, budget: new SharedBudget(store, { window: `${prefix}w`, pause: `${prefix}p` }, perWindow, local, inFlightMs, WINDOW_MS) };
  });
}

/** Grants taken, asking in turn, until each budget has been refused once. */
async function takeAll(budgets: SharedBudget[], ceiling: number): Promise<Grant[]> {
  const grants: Grant[] = [];
  const refused = new Set<SharedBudget>();
  for (let i = 0; refused.size < budgets.length; i++) {
    const budget = budgets[i % budgets.length] as SharedBudget;
    if (refused.has(budget)) continue;
    const result = await budget.tryTake(ceiling);
    if (result.grant) grants.push(result.grant);
    else refused.add(budget);
  }
  return grants;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SharedBudget", () => {
  it("holds one window across instances, and a ceiling below the budget across them too", async () => {
    const pair = instances("b1:", 6);
    const budgets = pair.map((p) => p.budget);
    const below = await takeAll(budgets, 4);
    expect(below).toHaveLength(4);
    expect(await takeAll(budgets, 6)).toHaveLength(2);
    // Each instance's local budget counted the grants it took itself.
    expect(pair[0]!.local.used() + pair[1]!.local.used()).toBe(6);
    await Promise.all(pair.map((p) => p.store.close()));
  });

  it("a grant counts while its request is in flight and for a window after it settles", async () => {
    const [a, b] = instances("b2:", 1);
    const first = await a!.budget.tryTake(1);
    await pause(WINDOW_MS + 200);
    // A window after the grant, but its request has not answered: the other instance must still wait.
    expect((await b!.budget.tryTake(1)).grant).toBeUndefined();
    first.grant?.settle();
    await pause(100);
    const refused = await b!.budget.tryTake(1);
    expect(refused.waitMs).toBeGreaterThan(WINDOW_MS - 300);
    await pause(WINDOW_MS);
    expect((await b!.budget.tryTake(1)).grant).toBeDefined();
    await Promise.all([a, b].map((p) => p!.store.close()));
  });

  it("a grant never settled (its instance died) leaves the window after the longest flight and a window", async () => {
    const [a, b] = instances("b3:", 1, 500);
    expect((await a!.budget.tryTake(1)).grant).toBeDefined();
    const refused = await b!.budget.tryTake(1);
    expect(refused.waitMs).toBeGreaterThan(WINDOW_MS + 300);
    await pause(refused.waitMs ?? 0);
    expect((await b!.budget.tryTake(1)).grant).toBeDefined();
    await Promise.all([a, b].map((p) => p!.store.close()));
  });

  it("a pause from one instance (429 Retry-After) stops the others too", async () => {
    const [a, b] = instances("b4:", 100);
    await a!.budget.tryTake(100);
    a!.budget.pause(400);
    await pause(50);
    const paused = await b!.budget.tryTake(100);
    expect(paused.waitMs).toBeGreaterThanOrEqual(300);
    await pause(paused.waitMs ?? 0);
    expect((await b!.budget.tryTake(100)).grant).toBeDefined();
    await Promise.all([a, b].map((p) => p!.store.close()));
  });

  it("without Redis each instance falls back to its own window, counting what it already spent", async () => {
    const { store } = sharedStoreFor(redis.url, { prefix: "b5:" });
    const local = new SlidingWindowBudget(4, Date.now, 60_000);
    const budget = new SharedBudget(store, { window: "b5:w", pause: "b5:p" }, 4, local, 5_000, 60_000);
    (await budget.tryTake(4)).grant?.settle();
    (await budget.tryTake(4)).grant?.settle();
    await redis.kill();
    try {
      // 2 spent through Redis, 2 left locally.
      expect(await takeAll([budget], 4)).toHaveLength(2);
      expect(local.used()).toBe(4);
    } finally {
      await redis.restart();
      await store.close();
    }
  });
});
