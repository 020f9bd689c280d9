import "server-only";

import { abortError, type Grant, type RequestBudget } from "./request-limiter";

// Who sends the next request to Genesys. Calls wait in lanes (one per division being read, one for the org
// snapshot, one for the rest) served in turn, so a small fetch's few calls are not queued behind the hundreds
// of a large one. A call leaves its lane only once a connection slot is free and the budget grants it: the
// grant is spent as the request is sent, never while it still waits for a slot.
//
// Taking turns alone cannot help once the window is spent: a large fetch alone can spend a whole minute's
// budget in its first seconds, and whoever comes next would wait out that minute. So a part of each window
// (RESERVE_SHARE) is kept back. A lane over its fair share of the window (the budget divided among the lanes
// using it, plus one for a tenant about to arrive) stops short of the reserve; lanes under their share may use
// it. A lone large fetch thus runs at 90 % of the budget, and a small one arriving meanwhile goes at once.
// Lanes are counted per process; with Redis the window itself is shared (shared-budget.ts).

/**
 * The part of the window that lanes over their fair share cannot take. A small division's refresh is a
 * handful of calls, so a tenth (27 of the default 270) serves several tenants a minute, while a large fetch
 * keeps nine tenths of its pace (a larger reserve would stall fetches of 80-90 % of a window for a minute).
 */
const RESERVE_SHARE = 0.1;

/** The lane of calls that name none (directory, grants, capability probes). */
export const GENERAL_LANE = "general";

/** A call's turn: a slot and a grant, held until its answer. */
export interface Ticket {
  /** The answer came (or the attempt ended): the grant starts its last window and the slot is freed. */
  done(): void;
}

interface Waiter {
  lane: string;
  resolve: (ticket: Ticket) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export interface FairSchedulerOptions {
  budget: RequestBudget;
  /** Requests in flight at most. */
  concurrency: number;
  now?: () => number;
  windowMs?: number;
}

export class FairScheduler {
  /** Waiting calls by lane; the Map's order is the turn order (a lane served goes to the back). */
  private readonly lanes = new Map<string, Waiter[]>();
  /** Send times per lane within the window: what each lane has had. */
  private readonly sent = new Map<string, number[]>();
  private active = 0;
  private running = false;
  private poked = false;
  private wake: (() => void) | null = null;
  /** Until when the budget refused each kind of lane, for waitEstimateMs. */
  private readonly blockedUntil = { light: 0, heavy: 0 };
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly heavyCeiling: number;

  constructor(private readonly opts: FairSchedulerOptions) {
    this.now = opts.now ?? Date.now;
    this.windowMs = opts.windowMs ?? 60_000;
    const perMinute = opts.budget.perMinute;
    this.heavyCeiling = Math.max(1, perMinute - Math.max(1, Math.floor(perMinute * RESERVE_SHARE)));
  }

  /** Resolves when this call may be sent now; rejects (taking nothing) if `signal` aborts first. */
  admit(lane: string, signal?: AbortSignal): Promise<Ticket> {
    return new Promise<Ticket>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const waiter: Waiter = { lane, resolve, reject, signal, onAbort: () => this.leave(waiter) };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      const queue = this.lanes.get(lane);
      if (queue) queue.push(waiter);
      else this.lanes.set(lane, [waiter]);
      this.poke();
    });
  }

  /** About how long a call of `lane` asking now would wait for the budget (0: not held back by it). */
  waitEstimateMs(lane: string): number {
    const until = this.isLight(lane, this.now()) ? this.blockedUntil.light : this.blockedUntil.heavy;
    return Math.max(0, until - this.now());
  }

  /** Requests in flight (for tests). */
  inUse(): number {
    return this.active;
  }

  private leave(waiter: Waiter): void {
    const queue = this.lanes.get(waiter.lane);
    const i = queue?.indexOf(waiter) ?? -1;
    if (!queue || i < 0) return;
    queue.splice(i, 1);
    if (queue.length === 0) this.lanes.delete(waiter.lane);
    waiter.reject(abortError(waiter.signal as AbortSignal));
  }

  private poke(): void {
    this.poked = true;
    this.wake?.();
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.lanes.size > 0) {
        this.poked = false;
        const waitMs = this.active < this.opts.concurrency ? await this.dispatch() : undefined;
        if (waitMs === 0 || this.poked) continue;
        // Until a new call, an answer (a slot, and a grant's end moved closer) or the budget's own estimate.
        await new Promise<void>((resolve) => {
          const timer = waitMs === undefined ? undefined : setTimeout(resolve, waitMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    } finally {
      this.running = false;
    }
  }

  /** Sends one call if the budget allows one (0), else returns how long until it may. */
  private async dispatch(): Promise<number> {
    const now = this.now();
    let wait = Number.POSITIVE_INFINITY;
    let heavyRefused = false;
    for (const lane of [...this.lanes.keys()]) {
      const light = this.isLight(lane, now);
      // A ceiling once refused is refused to every lane of its kind this round.
      if (!light && heavyRefused) continue;
      const result = await this.opts.budget.tryTake(light ? this.opts.budget.perMinute : this.heavyCeiling);
      if (result.grant) {
        this.blockedUntil.light = 0;
        if (!light) this.blockedUntil.heavy = 0;
        this.handOver(lane, result.grant);
        return 0;
      }
      wait = Math.min(wait, result.waitMs);
      this.blockedUntil[light ? "light" : "heavy"] = now + result.waitMs;
      // Light lanes have the higher ceiling: if that is refused, the lower one is too.
      if (light) {
        this.blockedUntil.heavy = Math.max(this.blockedUntil.heavy, now + result.waitMs);
        break;
      }
      heavyRefused = true;
    }
    return Number.isFinite(wait) ? wait : 1;
  }

  /** The grant goes to the head of `lane`, or (if it left meanwhile) of the next lane waiting. */
  private handOver(lane: string, grant: Grant): void {
    const turn = [lane, ...[...this.lanes.keys()].filter((l) => l !== lane)];
    for (const l of turn) {
      const queue = this.lanes.get(l);
      const waiter = queue?.shift();
      if (!queue || !waiter) continue;
      // Served: to the back of the turn order.
      this.lanes.delete(l);
      if (queue.length > 0) this.lanes.set(l, queue);
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      this.active++;
      const times = this.sent.get(l) ?? [];
      times.push(this.now());
      this.sent.set(l, times);
      let done = false;
      waiter.resolve({
        done: () => {
          if (done) return;
          done = true;
          grant.settle();
          this.active--;
          this.poke();
        },
      });
      return;
    }
    // Every waiter left while the budget answered: the grant is spent unused, which errs on the safe side.
    grant.settle();
  }

  /** Under its fair share of the window: may use the reserve. */
  private isLight(lane: string, now: number): boolean {
    let users = 0;
    for (const [l, times] of this.sent) {
      while (times.length > 0 && (times[0] ?? 0) <= now - this.windowMs) times.shift();
      if (times.length === 0) this.sent.delete(l);
      else if (!this.lanes.has(l)) users++;
    }
    users += this.lanes.size + (this.lanes.has(lane) ? 0 : 1);
    return (this.sent.get(lane)?.length ?? 0) < this.opts.budget.perMinute / (users + 1);
  }
}
