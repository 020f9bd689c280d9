import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";

import { parseServerSettings } from "@/lib/config/server-settings.mjs";

describe("parseServerSettings", () => {
  it("applies the defaults and trims blanks", () => {
    expect(parseServerSettings({ HOSTNAME: " ", LOG_LEVEL: "" })).toEqual({
      ok: true,
      value: {
        port: 3000,
        hostname: undefined,
        keepAliveTimeoutMs: 65_000,
        shutdownDelayMs: 0,
        logLevel: "info",
        gate: { limit: 2 * availableParallelism(), maxQueue: 2_000, maxWaitMs: 30_000 },
        session: { secret: undefined, secureCookie: false },
      },
    });
  });

  it("reads every variable, LOG_LEVEL case-insensitively as the app does", () => {
    const result = parseServerSettings({
      PORT: "8080",
      HOSTNAME: " 0.0.0.0 ",
      HTTP_MAX_CONCURRENT_REQUESTS: "3",
      HTTP_MAX_QUEUED_REQUESTS: "0",
      HTTP_QUEUE_TIMEOUT_MS: "100",
      HTTP_KEEP_ALIVE_TIMEOUT_MS: "5000",
      SHUTDOWN_DELAY_SECONDS: "7",
      LOG_LEVEL: " WARN ",
      NEXTAUTH_SECRET: "s3cret-s3cret-s3cret-s3cret-s3cret",
      NEXTAUTH_URL: "https://tenantscope.example",
    });
    expect(result).toEqual({
      ok: true,
      value: {
        port: 8080,
        hostname: "0.0.0.0",
        keepAliveTimeoutMs: 5_000,
        shutdownDelayMs: 7_000,
        logLevel: "warn",
        gate: { limit: 3, maxQueue: 0, maxWaitMs: 100 },
        session: { secret: "s3cret-s3cret-s3cret-s3cret-s3cret", secureCookie: true },
      },
    });
  });

  it("lists every problem at once in the app's wording, one line per variable", () => {
    expect(parseServerSettings({ PORT: "http", HTTP_QUEUE_TIMEOUT_MS: "5", LOG_LEVEL: "loud" })).toEqual({
      ok: false,
      problems: [
        'PORT: "http" is not a whole number; use a whole number from 1 to 65535 (default 3000)',
        "HTTP_QUEUE_TIMEOUT_MS: 5 is out of range; use a whole number from 100 to 600000 (default 30000)",
        'LOG_LEVEL: "loud" is not a log level; use one of fatal, error, warn, info, debug, trace, silent (default info)',
      ],
    });
  });
});
