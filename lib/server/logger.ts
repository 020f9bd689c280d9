import "server-only";
import pino, { type Logger } from "pino";

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

let root: Logger | undefined;

export function getLogger(level?: string): Logger {
  root ??= pino({
    level: level ?? "info",
    base: { service: "tenantscope" },
    redact: { paths: REDACT, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return root;
}
