// Response helpers that give every emulator response the Genesys shape: JSON bodies, an
// ININ-Correlation-Id header on every response, and ErrorBody errors whose contextId equals that header.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A body already serialised to JSON (hot paths build it from cached fragments). */
export class RawJson {
  constructor(readonly json: string) {}
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialisable body, or a string sent as-is (HTML pages, OAuth forms). */
  body?: unknown;
  contentType?: string;
}

export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  messageParams: Record<string, string>;
  contextId: string;
  details: unknown[];
  errors: unknown[];
}

/** Thrown by handlers; the server turns it into an ErrorBody reply. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageParams: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(status: number, code: string, message: string, contextId: string, messageParams: Record<string, string> = {}): ErrorBody {
  return { message, code, status, messageParams, contextId, details: [], errors: [] };
}

// Message templates from x-inin-error-codes in test/contract/openapi-subset.json. How Genesys renders the list
// inside `%s` (brackets, comma-joined) is inferred.
export const errors = {
  badRequest: (message = "The request could not be understood by the server due to malformed syntax.") => new ApiError(400, "bad.request", message),
  invalidQueryParam: (value: string, param: string, allowed: string) =>
    new ApiError(400, "invalid.query.param.value", `Value [${value}] is not valid for parameter [${param}]. Allowable values are: ${allowed}`, {
      value,
      param,
    }),
  authenticationRequired: () => new ApiError(401, "authentication.required", "No authentication bearer token specified in authorization header."),
  badCredentials: () => new ApiError(401, "bad.credentials", "Invalid login credentials."),
  missingPermissions: (permissions: string[]) =>
    new ApiError(403, "missing.permissions", `Unable to perform the requested action. You are missing the following permission(s): [${permissions.join(", ")}]`),
  notFound: () => new ApiError(404, "not.found", "The requested resource was not found."),
  resourceNotFound: () => new ApiError(404, "general.resource.not.found", "Unable to find the requested resource."),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(429, "too.many.requests.retry.after", `Rate limit exceeded the maximum. Retry the request in [${retryAfterSeconds}] seconds`, {}, {
      "Retry-After": String(retryAfterSeconds),
    }),
  internal: () => new ApiError(500, "internal.server.error", "The server encountered an unexpected condition which prevented it from fulfilling the request."),
  unavailable: () => new ApiError(503, "service.unavailable", "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance)."),
  gatewayTimeout: () => new ApiError(504, "request.timeout", "The request timed out."),
};

export function newCorrelationId(): string {
  return randomUUID();
}

export function send(res: ServerResponse, reply: Reply, correlationId: string, truncate = false): void {
  const headers: Record<string, string> = { "ININ-Correlation-Id": correlationId, ...reply.headers };
  let payload: string | undefined;
  if (reply.body instanceof RawJson) {
    payload = truncate ? reply.body.json.slice(0, Math.max(1, Math.floor(reply.body.json.length / 2))) : reply.body.json;
    headers["Content-Type"] = "application/json";
  } else if (typeof reply.body === "string") {
    payload = reply.body;
    headers["Content-Type"] = reply.contentType ?? "text/html; charset=utf-8";
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers["Content-Type"] = reply.contentType ?? "application/json";
    // The malformedRate fault: a body cut off mid-way, as a dropped proxy connection would leave it.
    if (truncate) payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
  }
  if (payload !== undefined) headers["Content-Length"] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

const MAX_BODY_BYTES = 512_000; // Genesys' request.bytes.max limit (a platform limit, not in the API spec)

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    // The rest of the body is never read, so the connection cannot be reused for another request.
    if (size > MAX_BODY_BYTES) throw new ApiError(413, "request.entity.too.large", "The request is over the size limit.", {}, { Connection: "close" });
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw errors.badRequest();
  }
}

/** Query values as Genesys accepts them: repeated (`id=a&id=b`) or comma-joined (`id=a,b`, as the SDK sends). */
export function listParam(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw errors.invalidQueryParam(raw, name, `an integer from ${min} to ${max}`);
  return n;
}

export function boolParam(params: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw errors.invalidQueryParam(raw, name, "true, false");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}
