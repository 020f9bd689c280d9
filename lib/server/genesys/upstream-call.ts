import "server-only";

import { currentRequestId, getLogger } from "@/lib/server/platform";

import { UpstreamError } from "./upstream-error";

/** Rejects with a timeout UpstreamError when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UpstreamError({ kind: "timeout", message: `Genesys did not answer within ${ms} ms`, operation })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One log line per Genesys call, with the request that caused it and Genesys' correlation id (what Genesys
 * support asks for). Failures at warn, so that they show at the usual production level.
 */
export function logUpstreamCall(call: { operation: string; status: number; durationMs: number; correlationId: string | undefined; failure: UpstreamError | undefined; staff: boolean }): void {
  const fields = {
    requestId: currentRequestId(),
    upstream: {
      operation: call.operation,
      status: call.status,
      durationMs: call.durationMs,
      correlationId: call.correlationId,
      identity: call.staff ? "staff" : "bff",
      ...(call.failure ? { kind: call.failure.kind, genesysCode: call.failure.genesysCode } : {}),
    },
  };
  if (call.failure) getLogger().warn(fields, `genesys ${call.operation} failed (${call.failure.kind} ${call.status})`);
  else getLogger().info(fields, `genesys ${call.operation} ${call.status}`);
}
