import "server-only";

import { toAppError, UpstreamError } from "@/lib/server/genesys";
import { AppError, getLogger, requestIdFrom, toErrorResponse, withRequestContext } from "@/lib/server/platform";

import { assertSameOrigin } from "./same-origin";

// One wrapper for every route handler: a request id, the same-origin check of state-changing requests, the
// error model (code → status, body `{ error: { code, message, ... } }`), and logging of the internal cause,
// which is never returned.

export interface RouteContext {
  requestId: string;
}

export type Handler<P, C extends RouteContext = RouteContext> = (req: Request, params: P, ctx: C) => Promise<Response>;

export function route<P = Record<string, never>>(handler: Handler<P>) {
  return async (req: Request, segment: { params: Promise<P> }): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    try {
      const res = await withRequestContext({ requestId }, async () => {
        assertSameOrigin(req); // 403
        return handler(req, await segment.params, { requestId });
      });
      res.headers.set("X-Request-Id", requestId);
      return res;
    } catch (e) {
      const { status, body, headers } = toErrorResponse(toAppError(e));
      const log = getLogger().child({ requestId, method: req.method, path: new URL(req.url).pathname });
      const detail = describeForLog(e);
      if (status >= 500) log.error({ err: detail, status }, "request failed");
      else log.info({ err: detail, status }, "request refused");
      return Response.json(body, { status, headers: { ...headers, "X-Request-Id": requestId } });
    }
  };
}

/** What may be logged about an error: our own typed errors in full, anything else reduced to name/message/stack. */
function describeForLog(e: unknown): unknown {
  if (e instanceof AppError) return { ...e.toJSON(), cause: e.cause instanceof UpstreamError ? e.cause.toJSON() : e.cause instanceof Error ? e.cause.message : undefined };
  if (e instanceof UpstreamError) return e.toJSON();
  // A raw SDK/axios error would carry the Basic auth header in `config`: never log the object itself.
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { value: typeof e };
}
