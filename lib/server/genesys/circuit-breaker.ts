import "server-only";

import { UpstreamError } from "./upstream-error";

/**
 * When Genesys keeps failing (calls that exhausted their retries on 5xx, 429, timeouts or network errors),
 * new calls fail at once for a cool-down instead of each spending its whole retry budget: cold fetches
 * then fail fast with a clear message while cached data is served stale. After the cool-down one call
 * goes through; its success closes the breaker again (automatic recovery).
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly now: () => number,
    private readonly threshold = 3,
    private readonly cooldownMs = 30_000,
  ) {}

  check(operation: string): void {
    const wait = this.openUntil - this.now();
    if (wait > 0) {
      throw new UpstreamError({
        kind: "network",
        status: 0,
        message: `Genesys Cloud has been failing; calls pause for ${Math.ceil(wait / 1000)} s`,
        operation,
        retryAfterSeconds: Math.ceil(wait / 1000),
      });
    }
    // Half-open after the cool-down: this call is the probe; its failure re-opens the breaker at once.
    if (this.openUntil !== 0) this.failures = this.threshold - 1;
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failed(): void {
    this.failures++;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }

  get isOpen(): boolean {
    return this.openUntil > this.now();
  }
}
