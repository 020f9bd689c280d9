import "server-only";

// One concurrency limit and one per-minute request budget for every caller in the process, so that bursts
// from many viewers cannot trip Genesys' 300 requests/minute/token. Behind interfaces so that the shared
// (Redis) budget of shared-budget.ts can stand in when several instances share one token.

export interface RequestBudget {
  /** Resolves when one more request may start within the budget; rejects if `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void>;
  /** Genesys answered 429 with Retry-After: no grant for anyone until then (the limit is per token). */
  pause?(ms: number): void;
  /** About how long a request asking now would wait for its grant (0: none; absent: cannot tell). */
  waitEstimateMs?(): number;
}

export interface ConcurrencyLimit {
  /** Resolves with a release function once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("aborted");
}

/**
 * Hands out grants in arrival order: each waiter queues behind the previous one, and `waitForRoom` decides
 * when the head of the queue may go. A waiter whose signal aborts leaves at once.
 */
export abstract class FifoBudget implements RequestBudget {
  private queue: Promise<void> = Promise.resolve();

  protected abstract waitForRoom(signal?: AbortSignal): Promise<void>;

  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForRoom(signal));
    this.queue = turn.catch(() => undefined);
    if (!signal) return turn;
    // A waiter still queued behind others must learn of its abort now, not when its turn comes (which can
    // be minutes away when the budget is spent). Its turn then finds the signal aborted and takes no grant.
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      turn.then(
        () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        (e: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      );
    });
  }
}

/** At most `perMinute` grants in any sliding 60-second window. */
export class SlidingWindowBudget extends FifoBudget {
  private readonly grants: number[] = [];

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly windowMs = 60_000,
  ) {
    super();
  }

  protected async waitForRoom(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const now = this.now();
      this.expire(now);
      if (this.grants.length < this.perMinute) {
        this.grants.push(now);
        return;
      }
      const wait = (this.grants[0] ?? now) + this.windowMs - now;
      await sleep(Math.max(1, wait), signal);
    }
  }

  /**
   * Counts a grant made elsewhere (by the shared budget), so that if this budget has to stand in for it, it
   * knows what this process already spent in the window.
   */
  record(): void {
    const now = this.now();
    this.expire(now);
    this.grants.push(now);
  }

  waitEstimateMs(): number {
    const now = this.now();
    this.expire(now);
    if (this.grants.length < this.perMinute) return 0;
    // The grants already given leave the window in order; a request asking now waits for the oldest one.
    return Math.max(0, (this.grants[0] ?? now) + this.windowMs - now);
  }

  /** Grants used in the current window (for metrics and tests). */
  used(): number {
    const now = this.now();
    return this.grants.filter((t) => t > now - this.windowMs).length;
  }

  private expire(now: number): void {
    while (this.grants.length > 0 && (this.grants[0] ?? 0) <= now - this.windowMs) this.grants.shift();
  }
}

export class Semaphore implements ConcurrencyLimit {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.waiters.indexOf(go);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError(signal as AbortSignal));
        };
        const go = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
        this.waiters.push(go);
      });
    } else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // Hand the slot straight to the next waiter, so `active` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.active--;
    };
  }

  inUse(): number {
    return this.active;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
