// @ts-check
// The HTTP server's own settings (server/index.mjs). Checked apart from the app's (lib/server/platform/env.ts)
// because the server reads them before Next loads the app's bundled modules; both use ./fields.mjs, and
// LOG_LEVEL is the one field they share.
import { availableParallelism } from "node:os";

import { z } from "zod";

import { blankToUndefined, integer, logLevel, parseSettings, rawText } from "./fields.mjs";

const serverSettingsSchema = z
  .object({
    PORT: integer({ min: 1, max: 65_535, default: 3000 }),
    // Unset: every interface, IPv4 and IPv6 (as `next start`), so that "localhost" works whichever it resolves to.
    HOSTNAME: rawText.transform(blankToUndefined),
    // Slots are for CPU work (waits on Genesys give them back). Measured on 2 cores, 200 sessions: the fewer
    // slots, the shorter the tail (warm JSON max 3.5 s with 1, 5.3 s with 2, 6.7 s with 4, up to 10 s and
    // timeouts with 8), for 5-15 % less throughput; two per core keeps both. Measured again after issue 13 made
    // a request's own work cheaper (medians of 3 runs, shared machine): 8 slots gave no more throughput (JSON
    // 295 req/s, page 67) and brought the page's 10 s timeouts back (15 and 31 a run); 4 gave JSON 311, page
    // 74; 2 gave JSON 236, page 82, and no timeouts in any run, even while other work held the CPU. Two per
    // core stays; on a host shared with other busy processes, one per core keeps the tail shorter.
    HTTP_MAX_CONCURRENT_REQUESTS: integer({ min: 1, max: 1_000, default: 2 * availableParallelism() }),
    HTTP_MAX_QUEUED_REQUESTS: integer({ min: 0, max: 100_000, default: 2_000 }),
    HTTP_QUEUE_TIMEOUT_MS: integer({ min: 100, max: 600_000, default: 30_000 }),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: integer({ min: 1_000, max: 600_000, default: 65_000 }),
    // After SIGTERM, how long the server keeps accepting connections while readiness answers 503 "draining",
    // before it stops accepting and drains: the time a load balancer or Kubernetes takes to stop sending it
    // new requests. 0: stop accepting at once (a proxy that retries refused connections elsewhere, as Caddy).
    SHUTDOWN_DELAY_SECONDS: integer({ min: 0, max: 300, default: 0 }),
    LOG_LEVEL: logLevel,
    // Only to recognise a signed-in session's cookie before admitting its progress stream past the gate;
    // the app itself validates these two in full at start-up (lib/server/platform/auth-env.ts).
    NEXTAUTH_SECRET: rawText.transform(blankToUndefined),
    NEXTAUTH_URL: rawText.transform(blankToUndefined),
  })
  .transform((s) => ({
    port: s.PORT,
    hostname: s.HOSTNAME,
    keepAliveTimeoutMs: s.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    shutdownDelayMs: s.SHUTDOWN_DELAY_SECONDS * 1000,
    logLevel: s.LOG_LEVEL,
    gate: { limit: s.HTTP_MAX_CONCURRENT_REQUESTS, maxQueue: s.HTTP_MAX_QUEUED_REQUESTS, maxWaitMs: s.HTTP_QUEUE_TIMEOUT_MS },
    session: { secret: s.NEXTAUTH_SECRET, secureCookie: s.NEXTAUTH_URL?.startsWith("https://") ?? false },
  }));

/** @typedef {z.output<typeof serverSettingsSchema>} ServerSettings */

/** Every variable the HTTP server reads (deployment files are checked against it: test/deploy/). */
export const SERVER_SETTING_VARIABLES = Object.freeze(Object.keys(serverSettingsSchema.in.shape));

/**
 * The HTTP server's settings, or one line per problem. Pure.
 * @param {Record<string, string | undefined>} source
 */
export function parseServerSettings(source) {
  return parseSettings(serverSettingsSchema, source);
}
