// The process-wide request budget (the concurrency limit and who goes next: fair-scheduler.test.ts). Time is faked (vi.useFakeTimers) and the budget is
// given the faked clock explicitly, so minute-long windows run in milliseconds and every grant time is exact.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createRandom } from "@/emulator/prng";
import { sleep, SlidingWindowBudget } from "@/lib/server/genesys/request-limiter";

const WINDOW = 60_000;
const clock = () => Date.now();

/** A deterministic PRNG, so the "random" arrival patterns are the same on every run. */
const prng = createRandom;

/** The largest number of `times` inside any half-open window [t, t + windowMs). */
function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Settles: a promise's outcome without awaiting it (for "still pending?" checks). */
function track<T>(promise: Promise<T>): { state: () => "pending" | "resolved" | "rejected"; error: () => unknown } {
  let state: "pending" | "resolved" | "rejected" = "pending";
  let error: unknown;
  promise.then(
    () => void (state = "resolved"),
    (e: unknown) => {
      state = "rejected";
      error = e;
    },
  );
  return { state: () => state, error: () => error };
}

describe("SlidingWindowBudget", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("grants the first N at once and the next ones as the oldest grants leave the 60 s window", async () => {
    const budget = new SlidingWindowBudget(5, clock);
    const start = Date.now();
    const grants: { i: number; at: number }[] = [];
    const all = Array.from({ length: 17 }, (_, i) => budget.take().then(() => grants.push({ i, at: Date.now() - start })));
    await vi.advanceTimersByTimeAsync(0);
    expect(grants.map((g) => g.i)).toEqual([0, 1, 2, 3, 4]);
    expect(budget.used()).toBe(5);
    await vi.advanceTimersByTimeAsync(WINDOW - 1);
    expect(grants).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(grants).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(3 * WINDOW);
    await Promise.all(all);
    // FIFO, and each batch of 5 exactly one window after the previous one.
    expect(grants.map((g) => g.i)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(grants.map((g) => g.at)).toEqual(Array.from({ length: 17 }, (_, i) => Math.floor(i / 5) * WINDOW));
    expect(maxInAnyWindow(grants.map((g) => g.at), WINDOW)).toBe(5);
  });

  it("never grants more than N in any 60 s window and grants in arrival order, for random arrivals", async () => {
    for (const seed of [1, 2, 3]) {
      const random = prng(seed);
      const perMinute = 3 + Math.floor(random() * 8);
      const budget = new SlidingWindowBudget(perMinute, clock);
      const order: number[] = [];
      const times: number[] = [];
      const takes: Promise<void>[] = [];
      let next = 0;
      // 150 requests arriving in bursts over ~10 minutes.
      for (let burst = 0; burst < 30; burst++) {
        const size = 1 + Math.floor(random() * 9);
        for (let k = 0; k < size; k++) {
          const i = next++;
          takes.push(
            budget.take().then(() => {
              order.push(i);
              times.push(Date.now());
            }),
          );
        }
        await vi.advanceTimersByTimeAsync(Math.floor(random() * 40_000));
      }
      await vi.advanceTimersByTimeAsync(Math.ceil(next / perMinute + 2) * WINDOW);
      await Promise.all(takes);
      expect(order).toEqual(Array.from({ length: next }, (_, i) => i));
      expect(maxInAnyWindow(times, WINDOW)).toBeLessThanOrEqual(perMinute);
      // The budget is also used: when requests wait, the window is full (no grant is needlessly delayed).
      expect(maxInAnyWindow(times, WINDOW)).toBe(perMinute);
    }
  });

  it("honours a custom window length", async () => {
    const budget = new SlidingWindowBudget(2, clock, 1_000);
    const start = Date.now();
    const times: number[] = [];
    const takes = Array.from({ length: 6 }, () => budget.take().then(() => times.push(Date.now() - start)));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(takes);
    expect(times).toEqual([0, 0, 1_000, 1_000, 2_000, 2_000]);
  });

  it("rejects at once with the signal's reason when the signal is already aborted, consuming nothing", async () => {
    const budget = new SlidingWindowBudget(1, clock);
    const controller = new AbortController();
    const reason = new Error("viewer went away");
    controller.abort(reason);
    await expect(budget.take(controller.signal)).rejects.toBe(reason);
    expect(budget.used()).toBe(0);
    await expect(budget.take()).resolves.toBeUndefined();
  });

  it("rejects a waiter whose signal aborts while it waits for room, and the next waiter inherits its place", async () => {
    const budget = new SlidingWindowBudget(1, clock);
    const start = Date.now();
    await budget.take();
    const controller = new AbortController();
    const aborted = track(budget.take(controller.signal));
    const times: number[] = [];
    const after = budget.take().then(() => times.push(Date.now() - start));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(aborted.state()).toBe("pending");
    const reason = new Error("cancelled");
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted.state()).toBe("rejected");
    expect(aborted.error()).toBe(reason);
    await vi.advanceTimersByTimeAsync(WINDOW);
    await after;
    // The aborted waiter took no grant: the next one gets the slot one window after the first grant.
    expect(times).toEqual([WINDOW]);
  });

  it("tryTake: a grant counts while its request is in flight and for one window after it settles", async () => {
    const budget = new SlidingWindowBudget(2, clock);
    const first = await budget.tryTake(2);
    const second = await budget.tryTake(2);
    if (!first.grant || !second.grant) throw new Error("the first two should be granted");
    // In flight for five minutes: still counted, however old the grant.
    await vi.advanceTimersByTimeAsync(5 * WINDOW);
    expect(await budget.tryTake(2)).toEqual({ waitMs: WINDOW });
    first.grant.settle();
    await vi.advanceTimersByTimeAsync(WINDOW - 1);
    expect(await budget.tryTake(2)).toEqual({ waitMs: 1 });
    await vi.advanceTimersByTimeAsync(1);
    expect((await budget.tryTake(2)).grant).toBeDefined();
    // Settling twice does not move the grant's end.
    second.grant.settle();
    await vi.advanceTimersByTimeAsync(10_000);
    second.grant.settle();
    await vi.advanceTimersByTimeAsync(WINDOW - 10_000);
    expect(budget.used()).toBe(1);
  });

  it("tryTake refuses at a ceiling below the budget, and says when the count will drop below it", async () => {
    const budget = new SlidingWindowBudget(5, clock);
    for (let i = 0; i < 4; i++) {
      (await budget.tryTake(5)).grant?.settle();
      await vi.advanceTimersByTimeAsync(1_000);
    }
    // 4 in the window, taken at 0, 1, 2 and 3 s: below 3 once two have left, at 61 s.
    expect(await budget.tryTake(3)).toEqual({ waitMs: WINDOW + 1_000 - 4_000 });
    expect((await budget.tryTake(5)).grant).toBeDefined();
    expect(await budget.tryTake(5)).toEqual({ waitMs: WINDOW - 4_000 });
    // A ceiling above the budget is the budget.
    expect((await budget.tryTake(50)).grant).toBeUndefined();
  });

  it("rejects promptly a waiter that aborts while still queued behind another waiter", async () => {
    const budget = new SlidingWindowBudget(1, clock);
    const start = Date.now();
    await budget.take();
    const times: Record<string, number> = {};
    const second = budget.take().then(() => (times.second = Date.now() - start));
    const controller = new AbortController();
    const third = track(budget.take(controller.signal));
    const fourth = budget.take().then(() => (times.fourth = Date.now() - start));
    await vi.advanceTimersByTimeAsync(1_000);
    const reason = new Error("cancelled");
    controller.abort(reason);
    // The caller must not wait out the whole queue (up to minutes) to learn that it gave up.
    await vi.advanceTimersByTimeAsync(0);
    expect(third.state()).toBe("rejected");
    expect(third.error()).toBe(reason);
    await vi.advanceTimersByTimeAsync(3 * WINDOW);
    await Promise.all([second, fourth]);
    // …and it consumed no grant: the fourth request follows the second by exactly one window.
    expect(times).toEqual({ second: WINDOW, fourth: 2 * WINDOW });
  });
});

describe("sleep", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves after the delay and rejects with the signal's reason on abort", async () => {
    const done = track(sleep(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(done.state()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(done.state()).toBe("resolved");

    const controller = new AbortController();
    const aborted = track(sleep(1_000, controller.signal));
    const reason = new Error("stop");
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted.state()).toBe("rejected");
    expect(aborted.error()).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });
});
