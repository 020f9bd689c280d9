// The process-wide request budget and concurrency limit. Time is faked (vi.useFakeTimers) and the budget is
// given the faked clock explicitly, so minute-long windows run in milliseconds and every grant time is exact.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createRandom } from "@/emulator/prng";
import { Semaphore, sleep, SlidingWindowBudget } from "@/lib/server/genesys/request-limiter";

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

describe("Semaphore", () => {
  it("never runs more than its limit at once under 200 concurrent tasks, and runs them all", async () => {
    for (const limit of [1, 3, 16]) {
      const semaphore = new Semaphore(limit);
      const random = prng(limit);
      let active = 0;
      let peak = 0;
      let done = 0;
      const tasks = Array.from({ length: 200 }, async () => {
        const release = await semaphore.acquire();
        try {
          active++;
          peak = Math.max(peak, active);
          expect(active).toBeLessThanOrEqual(limit);
          expect(semaphore.inUse()).toBeLessThanOrEqual(limit);
          // Mix synchronous, microtask and timer-length holds.
          const hold = random();
          if (hold < 0.3) await Promise.resolve();
          else if (hold < 0.9) await sleep(Math.floor(random() * 3));
          done++;
        } finally {
          active--;
          release();
        }
      });
      await Promise.all(tasks);
      expect(done).toBe(200);
      expect(peak).toBe(limit);
      expect(semaphore.inUse()).toBe(0);
    }
  });

  it("hands slots to waiters in FIFO order", async () => {
    const semaphore = new Semaphore(2);
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const waiters = Array.from({ length: 6 }, (_, i) =>
      semaphore.acquire().then((release) => {
        order.push(i);
        releases.push(release);
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    await vi.waitFor(() => expect(order).toEqual([0]));
    second();
    await vi.waitFor(() => expect(order).toEqual([0, 1]));
    // Releasing in any order still hands slots out in arrival order.
    releases[1]?.();
    releases[0]?.();
    await vi.waitFor(() => expect(order).toEqual([0, 1, 2, 3]));
    for (const release of [...releases]) release();
    await Promise.all(waiters);
    for (const release of releases) release();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(semaphore.inUse()).toBe(0);
  });

  it("a slot handed to a waiter cannot be taken by a newcomer first", async () => {
    const semaphore = new Semaphore(1);
    const holder = await semaphore.acquire();
    const order: string[] = [];
    const waiter = semaphore.acquire().then((release) => {
      order.push("waiter");
      release();
    });
    holder();
    // In the same tick as the release, a newcomer arrives: it must queue behind the waiter.
    const newcomer = semaphore.acquire().then((release) => {
      order.push("newcomer");
      release();
    });
    await Promise.all([waiter, newcomer]);
    expect(order).toEqual(["waiter", "newcomer"]);
    expect(semaphore.inUse()).toBe(0);
  });

  it("releasing twice frees only one slot", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    release();
    release();
    expect(semaphore.inUse()).toBe(0);
    const a = await semaphore.acquire();
    const b = track(semaphore.acquire());
    await Promise.resolve();
    expect(semaphore.inUse()).toBe(1);
    expect(b.state()).toBe("pending");
    a();
    a();
    await vi.waitFor(() => expect(b.state()).toBe("resolved"));
    expect(semaphore.inUse()).toBe(1);
  });

  it("rejects a waiter whose signal aborts, removes it from the queue, and gives the slot to the next waiter", async () => {
    const semaphore = new Semaphore(1);
    const holder = await semaphore.acquire();
    const controller = new AbortController();
    const aborted = track(semaphore.acquire(controller.signal));
    const order: string[] = [];
    const next = semaphore.acquire().then((release) => {
      order.push("next");
      return release;
    });
    const reason = new Error("cancelled");
    controller.abort(reason);
    await vi.waitFor(() => expect(aborted.state()).toBe("rejected"));
    expect(aborted.error()).toBe(reason);
    expect(semaphore.inUse()).toBe(1);
    holder();
    const release = await next;
    expect(order).toEqual(["next"]);
    expect(semaphore.inUse()).toBe(1);
    release();
    expect(semaphore.inUse()).toBe(0);
  });

  it("rejects at once when the signal is already aborted and the limit is reached", async () => {
    const semaphore = new Semaphore(1);
    const holder = await semaphore.acquire();
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    await expect(semaphore.acquire(controller.signal)).rejects.toThrow("gone");
    holder();
    expect(semaphore.inUse()).toBe(0);
  });

  it("an abort after the slot was handed over changes nothing", async () => {
    const semaphore = new Semaphore(1);
    const holder = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    holder();
    const release = await waiting;
    controller.abort(new Error("too late"));
    expect(semaphore.inUse()).toBe(1);
    release();
    expect(semaphore.inUse()).toBe(0);
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
