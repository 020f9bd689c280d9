import "server-only";

import { AppError, type ErrorCode, type ErrorDetails } from "@/lib/server/platform";

import { UpstreamError } from "./upstream-error";

// Genesys failures in the app's error model: which code (and so which status) and which words a caller sees.

export interface UpstreamErrorContext {
  divisionId?: string;
  divisionName?: string;
}

// domain:entity:action, e.g. directory:user:view or routing:queue:*.
const PERMISSION = /(?<![\w:*])[a-zA-Z][a-zA-Z0-9]*:[a-zA-Z0-9*]+:[a-zA-Z0-9*]+(?![\w:*])/g;

/** Permission names named by a 403 (messageParams first, then the message text), in order, unique. */
export function extractPermissions(e: Pick<UpstreamError, "message" | "messageParams">): string[] {
  const sources = [...Object.values(e.messageParams ?? {}), e.message];
  const found = new Set<string>();
  for (const source of sources) for (const match of source.matchAll(PERMISSION)) found.add(match[0]);
  return [...found];
}

function extractScope(e: UpstreamError): string | undefined {
  if (e.genesysCode !== "app.not.authorized.for.scope") return undefined;
  return /scope\s+\[?([a-z][a-z:-]*)\]?/i.exec(e.message)?.[1];
}

function divisionLabel(context: UpstreamErrorContext | undefined): string | undefined {
  if (context?.divisionName) return `"${context.divisionName}"`;
  return context?.divisionId || undefined;
}

/** Maps an UpstreamError to the AppError a route returns; the UpstreamError stays as `cause`. */
export function appErrorFromUpstream(e: UpstreamError, context?: UpstreamErrorContext): AppError {
  const details: ErrorDetails = {
    divisionId: context?.divisionId,
    divisionName: context?.divisionName,
    correlationId: e.correlationId,
    genesysCode: e.genesysCode,
    upstreamStatus: e.status > 0 ? e.status : undefined,
  };
  const make = (code: ErrorCode, message: string, extra: ErrorDetails = {}): AppError =>
    new AppError(code, message, { details: { ...details, ...extra }, cause: e });

  if (e.kind === "timeout") return make("upstream_timeout", "Genesys Cloud did not answer in time. Please try again.");
  if (e.kind === "network") return make("upstream_unavailable", "Genesys Cloud could not be reached. Please try again shortly.");
  if (e.kind === "malformed") return make("upstream_bad_response", "Genesys Cloud returned a response Tenantscope could not understand.");

  const division = divisionLabel(context);
  const where = division ? ` in division ${division}` : "";
  switch (e.status) {
    case 401:
      return make("upstream_unauthorized", "Genesys Cloud rejected Tenantscope's service credentials.");
    case 403: {
      const permissions = extractPermissions(e);
      const scope = extractScope(e);
      if (permissions.length > 0) {
        const permission = permissions.join(", ");
        return make(
          "upstream_forbidden",
          `Tenantscope's Genesys Cloud client lacks the permission ${permission}${where}.`,
          { permission },
        );
      }
      if (scope) {
        return make("upstream_forbidden", `Tenantscope's Genesys Cloud client is not authorized for the scope ${scope}.`, { scope });
      }
      return make("upstream_forbidden", `Genesys Cloud denied access${where}.`);
    }
    case 404:
      return make(
        "not_found",
        division ? `Division ${division} was not found in Genesys Cloud.` : "Genesys Cloud could not find the requested resource.",
      );
    case 408:
    case 504:
      return make("upstream_timeout", "Genesys Cloud did not answer in time. Please try again.");
    case 429: {
      const wait = e.retryAfterSeconds;
      return make(
        "upstream_rate_limited",
        wait === undefined
          ? "Genesys Cloud is rate-limiting requests. Please try again shortly."
          : `Genesys Cloud is rate-limiting requests. Please try again in ${wait} seconds.`,
        { retryAfterSeconds: wait },
      );
    }
    default:
      if (e.status >= 500) return make("upstream_unavailable", "Genesys Cloud is unavailable right now. Please try again shortly.");
      if (e.status >= 400) return make("upstream_bad_request", "Genesys Cloud rejected a request Tenantscope sent.");
      return make("upstream_bad_response", "Genesys Cloud returned a response Tenantscope could not understand.");
  }
}

/** Anything thrown, with an upstream failure mapped to its AppError (others pass through unchanged). */
export function toAppError(e: unknown, context?: UpstreamErrorContext): unknown {
  return e instanceof UpstreamError ? appErrorFromUpstream(e, context) : e;
}
