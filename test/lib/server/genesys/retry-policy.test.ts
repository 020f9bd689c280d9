import { describe, expect, it } from "vitest";
import { UpstreamError, toUpstreamError, type UpstreamErrorInit } from "@/lib/server/genesys";
import { BACKOFF, backoffDelayMs, decideRetry, type RetryInput } from "@/lib/server/genesys/retry-policy";

const httpError = (status: number, extra: Partial<UpstreamErrorInit> = {}) =>
  new UpstreamError({ kind: "http", status, message: `HTTP ${status}`, ...extra });

/** A deterministic "random" that always returns `value`. */
const fixed = (value: number) => () => value;

function input(overrides: Partial<RetryInput> & Pick<RetryInput, "error">): RetryInput {
  return {
    attempt: 1,
    elapsedMs: 0,
    deadlineMs: 120_000,
    maxRetries: 5,
    retryAfterCapMs: 60_000,
    random: fixed(0.5),
    ...overrides,
  };
}

describe("decideRetry: what is retryable", () => {
  it.each<[string, UpstreamError, string]>([
    ["429", httpError(429), "rate_limited"],
    ["500", httpError(500), "server_error"],
    ["502", httpError(502), "server_error"],
    ["503", httpError(503), "server_error"],
    ["504", httpError(504), "server_error"],
    ["504 division.authorization.timeout", httpError(504, { genesysCode: "division.authorization.timeout" }), "server_error"],
    ["408", httpError(408), "timeout"],
    ["timeout", new UpstreamError({ kind: "timeout", message: "t", networkCode: "ECONNABORTED" }), "timeout"],
    ["network", new UpstreamError({ kind: "network", message: "n", networkCode: "ECONNRESET" }), "network"],
    ["malformed body", new UpstreamError({ kind: "malformed", status: 200, message: "m" }), "malformed"],
  ])("retries %s (%s)", (_label, error, reason) => {
    expect(decideRetry(input({ error }))).toEqual({ retry: true, delayMs: expect.any(Number), reason });
  });

  it.each([400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 451, 501, 505])("never retries %d", (status) => {
    expect(decideRetry(input({ error: httpError(status) }))).toEqual({ retry: false, reason: "not_retryable" });
  });

  it("does not retry a 400 even when it carries Retry-After", () => {
    expect(decideRetry(input({ error: httpError(400, { retryAfterSeconds: 1 }) })).retry).toBe(false);
  });
});

describe("decideRetry: exponential backoff with full jitter", () => {
  // With random → 0.999…, the delay sits just under the cap for that attempt: 250 · 2^(attempt-1), at most 8 s.
  it.each([
    [1, 249],
    [2, 499],
    [3, 999],
    [4, 1_999],
    [5, 3_999],
    [6, 7_999],
    [7, 7_999],
    [10, 7_999],
  ])("attempt %d waits below its cap (%d ms at most)", (attempt, expected) => {
    const decision = decideRetry(input({ error: httpError(503), attempt, maxRetries: 10, random: fixed(0.9999999) }));
    expect(decision).toEqual({ retry: true, delayMs: expected, reason: "server_error" });
  });

  it.each([
    [0, 0],
    [0.5, 500],
    [0.25, 250],
  ])("uses the injected random value %d (attempt 3 → %d ms)", (random, expected) => {
    expect(decideRetry(input({ error: httpError(500), attempt: 3, random: fixed(random) }))).toMatchObject({ delayMs: expected });
  });

  it("clamps a misbehaving random source into [0, 1)", () => {
    expect(backoffDelayMs(1, fixed(1))).toBe(249);
    expect(backoffDelayMs(1, fixed(7))).toBe(249);
    expect(backoffDelayMs(1, fixed(-3))).toBe(0);
    expect(backoffDelayMs(1, fixed(Number.NaN))).toBe(0);
  });

  it("never exceeds the maximum over many attempts and random values", () => {
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      for (const r of [0, 0.1, 0.5, 0.9, 0.999999]) {
        const delay = backoffDelayMs(attempt, fixed(r));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(BACKOFF.maxMs);
      }
    }
  });
});

describe("decideRetry: Retry-After", () => {
  it.each<[string, number | undefined, number, number | "none"]>([
    // label, Retry-After seconds, cap ms, expected delay (random 0 → no jitter)
    ["honours 42 s", 42, 60_000, 42_000],
    ["honours 0 s", 0, 60_000, 0],
    ["caps 120 s at the cap", 120, 60_000, 60_000],
    ["caps at a small cap", 5, 1_000, 1_000],
    ["falls back to backoff without the header", undefined, 60_000, 0],
  ])("%s", (_label, retryAfterSeconds, retryAfterCapMs, expected) => {
    const decision = decideRetry(input({ error: httpError(429, { retryAfterSeconds }), retryAfterCapMs, random: fixed(0) }));
    expect(decision).toEqual({ retry: true, delayMs: expected, reason: "rate_limited" });
  });

  it("adds less than the backoff base as jitter on top of Retry-After", () => {
    const decision = decideRetry(input({ error: httpError(429, { retryAfterSeconds: 2 }), random: fixed(0.9999999) }));
    expect(decision).toEqual({ retry: true, delayMs: 2_000 + BACKOFF.baseMs - 1, reason: "rate_limited" });
  });

  it("honours Retry-After on a 503 too", () => {
    expect(decideRetry(input({ error: httpError(503, { retryAfterSeconds: 3 }), random: fixed(0) }))).toEqual({
      retry: true,
      delayMs: 3_000,
      reason: "server_error",
    });
  });

  it("gives up when the wait would pass the deadline", () => {
    const error = httpError(429, { retryAfterSeconds: 42 });
    expect(decideRetry(input({ error, elapsedMs: 70_000, deadlineMs: 120_000, random: fixed(0) }))).toEqual({
      retry: true,
      delayMs: 42_000,
      reason: "rate_limited",
    });
    expect(decideRetry(input({ error, elapsedMs: 80_000, deadlineMs: 120_000, random: fixed(0) }))).toEqual({
      retry: false,
      reason: "deadline_exceeded",
    });
  });

  it("takes Retry-After from real header shapes via toUpstreamError", () => {
    const now = Date.now();
    const cases: Array<[Record<string, string>, number]> = [
      [{ "retry-after": "7" }, 7_000],
      [{ "Retry-After": "7" }, 7_000],
      [{ "retry-after": new Date(now + 3_600_000).toUTCString() }, 60_000], // an hour away: capped
    ];
    for (const [headers, expected] of cases) {
      const error = toUpstreamError({ status: 429, headers, body: { code: "too.many.requests", status: 429 }, error: {} });
      expect(decideRetry(input({ error, random: fixed(0) }))).toEqual({ retry: true, delayMs: expected, reason: "rate_limited" });
    }
  });
});

describe("decideRetry: limits", () => {
  it.each<[number, number, boolean]>([
    [1, 5, true],
    [5, 5, true],
    [6, 5, false],
    [1, 0, false],
    [2, 1, false],
  ])("attempt %d with maxRetries %d → retry %s", (attempt, maxRetries, expected) => {
    const decision = decideRetry(input({ error: httpError(502), attempt, maxRetries }));
    expect(decision.retry).toBe(expected);
    if (!decision.retry) expect(decision.reason).toBe("retries_exhausted");
  });

  it("gives up when the backoff would reach the deadline, or the deadline already passed", () => {
    const error = new UpstreamError({ kind: "network", message: "n" });
    expect(decideRetry(input({ error, elapsedMs: 119_900, deadlineMs: 120_000, random: fixed(0.5) }))).toEqual({
      retry: false,
      reason: "deadline_exceeded",
    });
    expect(decideRetry(input({ error, elapsedMs: 130_000, deadlineMs: 120_000, random: fixed(0) }))).toEqual({
      retry: false,
      reason: "deadline_exceeded",
    });
  });

  it("reports not_retryable before retries_exhausted", () => {
    expect(decideRetry(input({ error: httpError(404), attempt: 99 }))).toEqual({ retry: false, reason: "not_retryable" });
  });
});
