import "server-only";
import pino, { type Logger } from "pino";

import { logLevelFromEnv } from "./env";
import { processSingleton } from "./process-singleton";

// Structured JSON logs. Redaction is a second line of defence: nothing should log a secret or token in
// the first place, but if an object carrying one slips through, these paths are masked.
const REDACT = [
  "*.authorization",
  "*.Authorization",
  "headers.authorization",
  "*.clientSecret",
  "*.client_secret",
  "*.access_token",
  "*.accessToken",
  "*.refresh_token",
  "*.password",
  "config.headers",
];

let toStderr = false;

/** For command-line tools whose stdout is their output: logs go to stderr. Call before the first log. */
export function logToStderr(): void {
  toStderr = true;
}

export function getLogger(): Logger {
  return processSingleton("logger", () =>
    pino(
      {
        level: logLevelFromEnv(),
        base: { service: "tenantscope" },
        redact: { paths: REDACT, censor: "[redacted]" },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      pino.destination(toStderr ? 2 : 1),
    ),
  );
}
