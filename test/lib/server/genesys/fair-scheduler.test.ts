// The scheduler in front of the budget: lanes taken in turn, a reserve for lanes under their fair share, the
// grant spent only when the call goes out, and the concurrency limit. Time is faked (vi.useFakeTimers) and
// the budget is given the faked clock, so minute-long windows run in milliseconds.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createRandom } from "@/emulator/prng";
import { FairScheduler, type Ticket } from "@/lib/server/genesys/fair-scheduler";
import { SlidingWindowBudget } from "@/lib/server/genesys/request-limiter";

const WINDOW = 60_000;
const clock = () => Date.now();

function scheduler(perMinute: number, concurrency: number) {
  const budget = new SlidingWindowBudget(perMinute, clock);
  return { budget, scheduler: new FairScheduler({ budget, concurrency, now: clock }) };
}

/** A call as the transport makes it: admitted, in flight for `ms`, then done. Resolves with its send time. */
async function call(s: FairScheduler, lane: string, ms: number, log?: { lane: string; sent: number; answered: number }[]): Promise<number> {
  const ticket = await s.admit(lane);
  const sent = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  ticket.done();
  log?.push({ lane, sent, answered: Date.now() });
  return sent;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("FairScheduler", () => {
  it("spends a grant only when a call goes out: calls waiting for a slot hold none", async () => {
    const { budget, scheduler: s } = scheduler(50, 2);
    const tickets: Ticket[] = [];
    for (let i = 0; i < 10; i++) void s.admit("a").then((t) => tickets.push(t));
    await vi.advanceTimersByTimeAsync(0);
    expect(tickets).toHaveLength(2);
    expect(budget.used()).toBe(2);
    tickets[0]?.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(tickets).toHaveLength(3);
    expect(budget.used()).toBe(3);
    for (const t of tickets) t.done();
  });

  it("never lets Genesys see more than the budget in a window, however long each call takes to answer", async () => {
    // Genesys counts a call somewhere between its send and its answer. Worst case for call j: every earlier
    // call counted at its answer, j at its send; those still inside j's window must number at most perMinute.
    for (const seed of [1, 2, 3]) {
      const random = createRandom(seed);
      const perMinute = 10 + Math.floor(random() * 20);
      const { scheduler: s } = scheduler(perMinute, 8);
      const log: { lane: string; sent: number; answered: number }[] = [];
      const calls = Array.from({ length: 6 * perMinute }, (_, i) => call(s, `lane-${i % 3}`, Math.floor(random() * 20_000), log));
      await vi.advanceTimersByTimeAsync(12 * WINDOW);
      await Promise.all(calls);
      for (const j of log) {
        const overlapping = log.filter((i) => i.sent <= j.sent && i.answered > j.sent - WINDOW).length;
        expect(overlapping).toBeLessThanOrEqual(perMinute);
      }
    }
  });

  it("never has more than `concurrency` calls in flight, and runs them all", async () => {
    for (const concurrency of [1, 3, 8]) {
      const { scheduler: s } = scheduler(10_000, concurrency);
      const random = createRandom(concurrency);
      let active = 0;
      let peak = 0;
      const calls = Array.from({ length: 100 }, async (_, i) => {
        const ticket = await s.admit(`lane-${i % 4}`);
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 50)));
        active--;
        ticket.done();
      });
      await vi.advanceTimersByTimeAsync(10_000);
      await Promise.all(calls);
      expect(peak).toBe(concurrency);
      expect(s.inUse()).toBe(0);
    }
  });

  it("takes lanes in turn: a lane with 3 calls is not queued behind one with 100", async () => {
    const { scheduler: s } = scheduler(10_000, 1);
    const order: string[] = [];
    const big = Array.from({ length: 100 }, () => call(s, "big", 100).then(() => order.push("big")));
    await vi.advanceTimersByTimeAsync(250);
    const small = Array.from({ length: 3 }, () => call(s, "small", 100).then(() => order.push("small")));
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all([...big, ...small]);
    // Served alternately from the moment it arrived: done within the next 6 calls, not after the other 97.
    expect(order.slice(0, 9).filter((l) => l === "small")).toHaveLength(3);
  });

  it("keeps a reserve: a lone large fetch stops at 90 % of the window, and a small one arriving later goes at once", async () => {
    const { budget, scheduler: s } = scheduler(100, 8);
    const big = Array.from({ length: 150 }, () => call(s, "umbrella", 10));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(budget.used()).toBe(90);

    // A manager's refresh: four calls one after another, each as soon as the previous answered.
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      const done = call(s, "acme", 10);
      await vi.advanceTimersByTimeAsync(10);
      await done;
    }
    expect(Date.now() - started).toBe(40);

    // The large fetch goes on as the window slides, never into the reserve while it is over its share.
    await vi.advanceTimersByTimeAsync(WINDOW);
    expect(budget.used()).toBeLessThanOrEqual(94);
    await vi.advanceTimersByTimeAsync(2 * WINDOW);
    await Promise.all(big);
  });

  it("shares the reserve: two large fetches together stop at the same 90 %, leaving room for a third tenant", async () => {
    const { budget, scheduler: s } = scheduler(100, 8);
    const big = ["umbrella", "initech"].flatMap((lane) => Array.from({ length: 100 }, () => call(s, lane, 10)));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(budget.used()).toBe(90);
    expect(s.waitEstimateMs("umbrella")).toBeGreaterThan(50_000);
    // A lane that has had nothing yet is not held back.
    expect(s.waitEstimateMs("acme")).toBe(0);
    const started = Date.now();
    await Promise.all([call(s, "acme", 10), vi.advanceTimersByTimeAsync(10)]);
    expect(Date.now() - started).toBe(10);
    await vi.advanceTimersByTimeAsync(3 * WINDOW);
    await Promise.all(big);
  });

  it("a call whose signal aborts while it waits leaves at once, takes nothing, and the next call gets its turn", async () => {
    const { budget, scheduler: s } = scheduler(100, 1);
    const first = await s.admit("a");
    const controller = new AbortController();
    const reason = new Error("viewer went away");
    const aborted = s.admit("a", controller.signal);
    const next = s.admit("b");
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    first.done();
    const ticket = await next;
    expect(budget.used()).toBe(2);
    ticket.done();
    ticket.done();
    expect(s.inUse()).toBe(0);
    await expect(s.admit("a", AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
