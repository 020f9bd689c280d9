import "server-only";

import { AppError } from "@/lib/server/platform";

// An admin's division test reads a whole division afresh from Genesys: the costliest thing anyone can ask
// for, so tests have a limit of their own. A test of a division already under test joins it (one fetch, one
// answer for both), and the read itself joins any load of that division already running (the cache's
// single flight). Beyond `maxDivisions` divisions under test at once (per instance), one more is refused
// with 429 rather than queued: queued tests would only wait for the same budget, holding requests open,
// while the admin can simply try again. The budget's fair scheduler keeps what the tests do spend from
// delaying other tenants.

/** How long an admin is asked to wait before testing another division. */
const RETRY_AFTER_SECONDS = 10;

export class DivisionTests<T> {
  private readonly running = new Map<string, Promise<T>>();

  constructor(private readonly maxDivisions: number) {}

  /** `test` for the division, or the answer of the test of it already running. */
  run(divisionId: string, test: () => Promise<T>): Promise<T> {
    const key = divisionId.toLowerCase();
    const running = this.running.get(key);
    if (running) return running;
    if (this.running.size >= this.maxDivisions) {
      throw new AppError("rate_limited", `${this.running.size} divisions are being tested right now. Please wait for one test to finish.`, {
        details: { divisionId: key, retryAfterSeconds: RETRY_AFTER_SECONDS },
      });
    }
    const promise = test().finally(() => this.running.delete(key));
    this.running.set(key, promise);
    return promise;
  }

  /** Divisions under test now. */
  get size(): number {
    return this.running.size;
  }
}
