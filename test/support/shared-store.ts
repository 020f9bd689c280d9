// SharedStore instances as separate app instances would hold them (one Redis connection each), with their
// log lines captured.
import pino from "pino";

import { SharedStore } from "@/lib/server/shared-state/store";

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export function sharedStoreFor(url: string | undefined, options: { prefix?: string; secret?: string } = {}): { store: SharedStore; logs: LogLine[]; fallbacks: string[] } {
  const logs: LogLine[] = [];
  const fallbacks: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const store = new SharedStore({
    url,
    keyPrefix: options.prefix ?? "test:",
    sealingSecret: options.secret ?? "the-bff-client-secret",
    logger,
    onFallback: (op) => fallbacks.push(op),
    connectTimeoutMs: 1_000,
    commandTimeoutMs: 500,
  });
  return { store, logs, fallbacks };
}

/** pino's numeric levels. */
export const WARN = 40;
export const INFO = 30;
