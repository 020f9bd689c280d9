// @ts-check
// The HTTP server's own settings. They are read here, not in lib/server/env.ts, because this file runs
// before Next loads the app's (bundled, TypeScript) modules; the app's settings are still checked there at
// start-up (instrumentation.ts).
import { availableParallelism } from "node:os";

import { z } from "zod";

/** @param {{ min: number, max: number, default: number }} o */
const int = (o) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const text = v?.trim() ?? "";
      if (text === "") return o.default;
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < o.min || n > o.max) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(text)} is not a whole number from ${o.min} to ${o.max} (default ${o.default})` });
        return z.NEVER;
      }
      return n;
    });

const schema = z.object({
  PORT: int({ min: 1, max: 65_535, default: 3000 }),
  // Unset: every interface, IPv4 and IPv6 (as `next start`), so that "localhost" works whichever it resolves to.
  HOSTNAME: z.string().optional().transform((v) => (v?.trim() ? v.trim() : undefined)),
  // Slots are for CPU work (waits on Genesys give them back). Measured on 2 cores, 200 sessions: the fewer
  // slots, the shorter the tail (warm JSON max 3.5 s with 1, 5.3 s with 2, 6.7 s with 4, up to 10 s and
  // timeouts with 8), for 5-15 % less throughput; two per core keeps both.
  HTTP_MAX_CONCURRENT_REQUESTS: int({ min: 1, max: 1_000, default: 2 * availableParallelism() }),
  HTTP_MAX_QUEUED_REQUESTS: int({ min: 0, max: 100_000, default: 2_000 }),
  HTTP_QUEUE_TIMEOUT_MS: int({ min: 100, max: 600_000, default: 30_000 }),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int({ min: 1_000, max: 600_000, default: 65_000 }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional().default("info"),
});

/**
 * @param {Record<string, string | undefined>} source
 * @returns {{ port: number, hostname: string | undefined, keepAliveTimeoutMs: number, logLevel: string, gate: { limit: number, maxQueue: number, maxWaitMs: number } }}
 */
export function readServerSettings(source) {
  const parsed = schema.safeParse({ ...source, LOG_LEVEL: source.LOG_LEVEL?.trim().toLowerCase() || undefined });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
    console.error(`Tenantscope cannot start: fix these settings (see .env.example)\n${lines.join("\n")}`);
    process.exit(1);
  }
  const s = parsed.data;
  return {
    port: s.PORT,
    hostname: s.HOSTNAME,
    keepAliveTimeoutMs: s.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    logLevel: s.LOG_LEVEL,
    gate: { limit: s.HTTP_MAX_CONCURRENT_REQUESTS, maxQueue: s.HTTP_MAX_QUEUED_REQUESTS, maxWaitMs: s.HTTP_QUEUE_TIMEOUT_MS },
  };
}
