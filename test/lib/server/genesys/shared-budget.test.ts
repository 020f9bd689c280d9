import { setMaxListeners } from "node:events";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SlidingWindowBudget } from "@/lib/server/genesys/request-limiter";
import { SharedBudget } from "@/lib/server/genesys/shared-budget";
import { startRedis, type RedisServer } from "@/test/support/redis-server";
import { sharedStoreFor } from "@/test/support/shared-store";

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis.stop();
});

const WINDOW_MS = 1_000;

/** Two "instances": separate connections and local budgets, one shared window. */
function instances(prefix: string, perWindow: number) {
  return [0, 1].map(() => {
    const { store } = sharedStoreFor(redis.url, { prefix });
    const local = new SlidingWindowBudget(perWindow, Date.now, WINDOW_MS);
    return { store, local, budget: new SharedBudget(store, { window: `${prefix}w`, pause: `${prefix}p` }, perWindow, local, WINDOW_MS) };
  });
}

/** Grants that `take` hands out within `ms`, over several budgets taken from at once. */
async function grantsWithin(budgets: SharedBudget[], attempts: number, ms: number): Promise<number> {
  const abort = new AbortController();
  setMaxListeners(budgets.length * attempts, abort.signal);
  let granted = 0;
  const takes = budgets.flatMap((b) => Array.from({ length: attempts }, () => b.take(abort.signal).then(() => void granted++, () => undefined)));
  await new Promise((r) => setTimeout(r, ms));
  abort.abort();
  await Promise.all(takes);
  return granted;
}

describe("SharedBudget", () => {
  it("holds one window across instances", async () => {
    const pair = instances("b1:", 6);
    // 2 × 10 attempts within half a window: 6 grants in all, not 6 each.
    expect(await grantsWithin(pair.map((p) => p.budget), 10, WINDOW_MS / 2)).toBe(6);
    // Each instance's local budget counted the grants it took itself.
    expect(pair[0]!.local.used() + pair[1]!.local.used()).toBe(6);
    await Promise.all(pair.map((p) => p.store.close()));
  });

  it("grants again as the window slides", async () => {
    const pair = instances("b2:", 3);
    const started = Date.now();
    for (let i = 0; i < 6; i++) await pair[i % 2]!.budget.take();
    // The 4th grant had to wait for the first to leave the 1 s window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(WINDOW_MS - 50);
    await Promise.all(pair.map((p) => p.store.close()));
  });

  it("a pause from one instance (429 Retry-After) stops the others too", async () => {
    const pair = instances("b3:", 100);
    await pair[0]!.budget.take();
    pair[0]!.budget.pause(400);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await pair[1]!.budget.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await Promise.all(pair.map((p) => p.store.close()));
  });

  it("without Redis each instance falls back to its own window, counting what it already spent", async () => {
    const { store } = sharedStoreFor(redis.url, { prefix: "b4:" });
    const local = new SlidingWindowBudget(4, Date.now, 60_000);
    const budget = new SharedBudget(store, { window: "b4:w", pause: "b4:p" }, 4, local, 60_000);
    await budget.take();
    await budget.take();
    await redis.kill();
    try {
      // 2 spent through Redis, 2 left locally: the 5th take must wait for the (60 s) window.
      expect(await grantsWithin([budget], 5, 300)).toBe(2);
      expect(local.used()).toBe(4);
    } finally {
      await redis.restart();
      await store.close();
    }
  });
});
