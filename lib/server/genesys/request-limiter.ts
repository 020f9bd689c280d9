import "server-only";

// The per-minute request budget, so that the BFF never trips Genesys' 300 requests/minute/token. Who gets the
// next grant, and when, is fair-scheduler.ts's business; the budget only counts. Behind an interface so that
// the shared (Redis) budget of shared-budget.ts can stand in when several instances share one token.
//
// A grant counts from the moment its request is sent until one window after its answer came back. Genesys
// counts a request at some moment between the two, which we cannot see; only a grant kept that long is sure
// to have left Genesys' window too before the next request takes its place. (Counting from the grant alone
// let requests granted early but sent late, or answered slowly, share Genesys' window with the next minute's:
// the emulator's limiter refused some even with every fault off.)

/** One request's place in the window. */
export interface Grant {
  /** Its answer came (or the attempt ended): from now it counts for one more window. */
  settle(): void;
}

/** A grant, or about how long until one may be had. */
export type TakeResult = { grant: Grant; waitMs?: never } | { grant?: never; waitMs: number };

export interface RequestBudget {
  readonly perMinute: number;
  /**
   * A grant now if fewer than `ceiling` (at most perMinute) grants count in the window; never waits, since
   * the scheduler decides who asks and when to ask again.
   */
  tryTake(ceiling: number): Promise<TakeResult>;
  /** Genesys answered 429 with Retry-After: no grant for anyone until then (the limit is per token). */
  pause?(ms: number): void;
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("aborted");
}

/**
 * Hands out grants in arrival order: each waiter queues behind the previous one, and `waitForRoom` decides
 * when the head of the queue may go. A waiter whose signal aborts leaves at once.
 */
export abstract class FifoBudget {
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

/**
 * At most `perMinute` grants in any sliding 60-second window. `tryTake` serves the scheduler (grants count
 * until a window after they settle); `take` is a first-come queue whose grants count from the moment they
 * are given (the STARTS_WITH sub-limit, taken before a call joins the scheduler).
 */
export class SlidingWindowBudget extends FifoBudget implements RequestBudget {
  /** When each grant stops counting; Infinity while its request is in flight. */
  private readonly grants: { until: number }[] = [];

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly windowMs = 60_000,
  ) {
    super();
  }

  async tryTake(ceiling: number): Promise<TakeResult> {
    return this.takeNow(ceiling);
  }

  protected async waitForRoom(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const result = this.takeNow(this.perMinute);
      if (result.grant) return result.grant.settle();
      await sleep(result.waitMs, signal);
    }
  }

  /**
   * Counts a grant made elsewhere (by the shared budget), so that if this budget has to stand in for it, it
   * knows what this process already spent in the window.
   */
  record(): Grant {
    this.expire(this.now());
    return this.add();
  }

  waitEstimateMs(): number {
    const now = this.now();
    this.expire(now);
    return this.grants.length < this.perMinute ? 0 : this.waitFor(this.perMinute, now);
  }

  /** Grants counting in the window now, in flight or settled (for metrics and tests). */
  used(): number {
    this.expire(this.now());
    return this.grants.length;
  }

  private takeNow(ceiling: number): TakeResult {
    const now = this.now();
    this.expire(now);
    if (this.grants.length < Math.min(ceiling, this.perMinute)) return { grant: this.add() };
    return { waitMs: this.waitFor(Math.min(ceiling, this.perMinute), now) };
  }

  private add(): Grant {
    const entry = { until: Number.POSITIVE_INFINITY };
    this.grants.push(entry);
    return {
      settle: () => {
        if (entry.until === Number.POSITIVE_INFINITY) entry.until = this.now() + this.windowMs;
      },
    };
  }

  /** Until enough grants leave for the count to drop below `ceiling`; a window when only requests in flight hold it (their answers wake the scheduler sooner). */
  private waitFor(ceiling: number, now: number): number {
    const ends = this.grants.map((g) => g.until).sort((a, b) => a - b);
    const end = ends[this.grants.length - ceiling] ?? now + this.windowMs;
    return Math.max(1, Number.isFinite(end) ? end - now : this.windowMs);
  }

  private expire(now: number): void {
    for (let i = this.grants.length - 1; i >= 0; i--) if ((this.grants[i]?.until ?? 0) <= now) this.grants.splice(i, 1);
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
