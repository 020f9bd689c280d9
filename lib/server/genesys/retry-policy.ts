import "server-only";
import type { UpstreamError } from "./upstream-error";

// Pure: no clock, no timers, no Math.random. The Genesys client owns the loop and the sleeping;
// this module only decides, so every branch is testable with a table.

export const BACKOFF = Object.freeze({ baseMs: 250, factor: 2, maxMs: 8_000 });

/**
 * HTTP statuses worth another try. 408 is a timeout by another name. Everything else in 4xx is our
 * request's fault and would fail the same way again; 401 is handled by the token refresh instead.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export type RetryReason = "rate_limited" | "server_error" | "timeout" | "network" | "malformed";
export type NoRetryReason = "not_retryable" | "retries_exhausted" | "deadline_exceeded";

export type RetryDecision = { retry: false; reason: NoRetryReason } | { retry: true; delayMs: number; reason: RetryReason };

export interface RetryInput {
  /** 1-based number of the attempt that just failed (1 = the first request). */
  attempt: number;
  error: UpstreamError;
  /** Since the operation began, earlier attempts and waits included. */
  elapsedMs: number;
  deadlineMs: number;
  maxRetries: number;
  retryAfterCapMs: number;
  random: () => number;
}

function retryReason(error: UpstreamError): RetryReason | undefined {
  switch (error.kind) {
    case "timeout":
      return "timeout";
    case "network":
      return "network";
    case "malformed":
      return "malformed";
    case "http":
      if (!RETRYABLE_STATUSES.has(error.status)) return undefined;
      if (error.status === 429) return "rate_limited";
      return error.status === 408 ? "timeout" : "server_error";
  }
}

function unitRandom(random: () => number): number {
  const value = random();
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1 - Number.EPSILON) : 0;
}

/** "Full jitter" (uniform in [0, cap)): spreads retries of many callers better than equal jitter. */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const cap = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * BACKOFF.factor ** exponent);
  return Math.floor(unitRandom(random) * cap);
}

export function decideRetry(input: RetryInput): RetryDecision {
  const reason = retryReason(input.error);
  if (reason === undefined) return { retry: false, reason: "not_retryable" };
  if (input.attempt > input.maxRetries) return { retry: false, reason: "retries_exhausted" };

  const retryAfterSeconds = input.error.retryAfterSeconds;
  let delayMs: number;
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    // Upstream told us when; a little jitter keeps parallel workers from returning in lockstep.
    const jitter = Math.floor(unitRandom(input.random) * BACKOFF.baseMs);
    delayMs = Math.min(Math.max(0, input.retryAfterCapMs), retryAfterSeconds * 1000 + jitter);
  } else {
    delayMs = backoffDelayMs(input.attempt, input.random);
  }

  if (input.elapsedMs + delayMs >= input.deadlineMs) return { retry: false, reason: "deadline_exceeded" };
  return { retry: true, delayMs, reason };
}
