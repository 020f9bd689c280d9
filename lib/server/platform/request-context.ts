import "server-only";

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

import { processSingleton } from "./process-singleton";

// The request id follows the work a request starts, down to each Genesys call's log line, without being
// passed through every function. proxy.ts stamps it on the request (x-request-id) and the response
// (X-Request-Id); route handlers and page data loaders run inside `withRequestContext`. A division fetch
// shared by many viewers runs in the context of the request that started it.

export interface RequestContext {
  requestId: string;
}

const storage = processSingleton("request-context", () => new AsyncLocalStorage<RequestContext>());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id proxy.ts gave this request, or a new one (only a well-formed UUID is taken from a header). */
export function requestIdFrom(headers: Pick<Headers, "get">): string {
  const given = headers.get("x-request-id");
  return given !== null && UUID.test(given) ? given : randomUUID();
}

export function withRequestContext<T>(context: RequestContext, run: () => T): T {
  return storage.run(context, run);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
