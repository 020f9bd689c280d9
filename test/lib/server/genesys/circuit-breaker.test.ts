import { describe, expect, it } from "vitest";

import { UpstreamError } from "@/lib/server/genesys";
import { CircuitBreaker } from "@/lib/server/genesys/circuit-breaker";

describe("CircuitBreaker", () => {
  it("opens after three exhausted failures, fails fast during the cool-down, and recovers on a success", () => {
    let now = 0;
    const breaker = new CircuitBreaker(() => now, 3, 30_000);
    breaker.check("op");
    breaker.failed();
    breaker.failed();
    expect(breaker.isOpen).toBe(false);
    breaker.failed();
    expect(breaker.isOpen).toBe(true);
    expect(() => breaker.check("op")).toThrow(UpstreamError);
    now = 10_000;
    try {
      breaker.check("op");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UpstreamError);
      expect((e as UpstreamError).retryAfterSeconds).toBe(20);
      expect((e as UpstreamError).kind).toBe("network");
    }
    now = 30_001;
    expect(() => breaker.check("op")).not.toThrow();
    breaker.succeeded();
    expect(breaker.isOpen).toBe(false);
    breaker.failed();
    expect(breaker.isOpen).toBe(false);
  });

  it("re-opens at once when the probe after the cool-down fails", () => {
    let now = 0;
    const breaker = new CircuitBreaker(() => now, 3, 1_000);
    breaker.failed();
    breaker.failed();
    breaker.failed();
    now = 1_001;
    breaker.check("op");
    breaker.failed();
    expect(breaker.isOpen).toBe(true);
  });
});
