import "server-only";

/** code → HTTP status. The single source of truth: routes never pick statuses themselves. */
export const STATUS_BY_CODE = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  // Genesys rejected a request we built: a bug or a documented limit on our side, not the caller's.
  upstream_bad_request: 502,
  // Our service credentials were rejected. A 401 would tell the browser *its* session expired.
  upstream_unauthorized: 502,
  upstream_forbidden: 403,
  // 503 rather than 429: the caller did nothing wrong; the shared per-token budget is exhausted.
  upstream_rate_limited: 503,
  upstream_unavailable: 502,
  upstream_timeout: 504,
  upstream_bad_response: 502,
  isolation_violation: 502,
  incomplete_result: 502,
  config_error: 500,
  internal: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(Object.keys(STATUS_BY_CODE) as ErrorCode[]);

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface ErrorDetails {
  permission?: string;
  scope?: string;
  divisionId?: string;
  divisionName?: string;
  correlationId?: string;
  genesysCode?: string;
  upstreamStatus?: number;
  retryAfterSeconds?: number;
  // `code` and `message` belong to the envelope; details may not shadow them.
  code?: never;
  message?: never;
  [key: string]: JsonValue | undefined;
}

export interface AppErrorOptions {
  details?: ErrorDetails;
  /** For logs only; never serialised. Pass an UpstreamError, never a raw SDK/axios error. */
  cause?: unknown;
}

// Codes whose message is meant for operators (it may name env variables or internals).
const GENERIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  internal: "Something went wrong on our side. Please try again later.",
  config_error: "The server is not configured correctly. An administrator needs to check its settings.",
};

export class AppError extends Error {
  override readonly name: string = "AppError";
  readonly code: ErrorCode;
  readonly details: Readonly<ErrorDetails> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ? Object.freeze(withoutUndefined(options.details)) : undefined;
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }

  toJSON(): { name: string; code: ErrorCode; message: string; details?: Readonly<ErrorDetails> } {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

function withoutUndefined(details: ErrorDetails): ErrorDetails {
  const copy: ErrorDetails = {};
  for (const [key, value] of Object.entries(details)) if (value !== undefined) copy[key] = value;
  return copy;
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

export interface ErrorResponseBody {
  error: { code: ErrorCode; message: string; [detail: string]: JsonValue };
}

export interface ErrorResponse {
  status: number;
  body: ErrorResponseBody;
  headers: Record<string, string>;
}

/** Turns anything thrown into the HTTP response the BFF sends. Unknown errors reveal nothing. */
export function toErrorResponse(err: unknown): ErrorResponse {
  const appError =
    err instanceof AppError
      ? err
      : err instanceof UpstreamError
        ? appErrorFromUpstream(err)
        : new AppError("internal", GENERIC_MESSAGES.internal ?? "Internal error");

  const safeDetails: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(appError.details ?? {})) {
    // The type forbids these keys; the runtime check keeps a cast-in detail from shadowing the envelope.
    if (value !== undefined && key !== "code" && key !== "message") safeDetails[key] = value;
  }

  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  const retryAfter = appError.details?.retryAfterSeconds;
  if (typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0) {
    headers["Retry-After"] = String(Math.ceil(retryAfter));
  }

  return {
    status: appError.status,
    body: { error: { code: appError.code, message: GENERIC_MESSAGES[appError.code] ?? appError.message, ...safeDetails } },
    headers,
  };
}

export type UpstreamErrorKind = "http" | "timeout" | "network" | "malformed";

export interface UpstreamErrorInit {
  kind: UpstreamErrorKind;
  /** 0 when there was no usable HTTP response. */
  status?: number;
  message: string;
  genesysCode?: string;
  messageParams?: Record<string, string>;
  correlationId?: string;
  retryAfterSeconds?: number;
  operation?: string;
  /** e.g. ECONNREFUSED, ECONNABORTED */
  networkCode?: string;
}

export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  readonly kind: UpstreamErrorKind;
  readonly status: number;
  readonly genesysCode: string | undefined;
  readonly messageParams: Readonly<Record<string, string>> | undefined;
  readonly correlationId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly operation: string | undefined;
  readonly networkCode: string | undefined;

  constructor(init: UpstreamErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.status = init.status ?? 0;
    this.genesysCode = init.genesysCode;
    this.messageParams = init.messageParams ? Object.freeze({ ...init.messageParams }) : undefined;
    this.correlationId = init.correlationId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.operation = init.operation;
    this.networkCode = init.networkCode;
  }

  toJSON(): UpstreamErrorInit & { name: string; status: number } {
    const json: UpstreamErrorInit & { name: string; status: number } = {
      name: this.name,
      kind: this.kind,
      status: this.status,
      message: this.message,
    };
    if (this.genesysCode !== undefined) json.genesysCode = this.genesysCode;
    if (this.messageParams !== undefined) json.messageParams = { ...this.messageParams };
    if (this.correlationId !== undefined) json.correlationId = this.correlationId;
    if (this.retryAfterSeconds !== undefined) json.retryAfterSeconds = this.retryAfterSeconds;
    if (this.operation !== undefined) json.operation = this.operation;
    if (this.networkCode !== undefined) json.networkCode = this.networkCode;
    return json;
  }
}

type UnknownRecord = Record<string, unknown>;

function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === "object" && value !== null;
}

const MAX_TEXT = 500;

/** Control characters out (log injection), length bounded, credentials scrubbed as a last resort. */
function sanitise(text: string, max = MAX_TEXT): string {
  return text
    .replace(/\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{6,}/gi, "$1 [redacted]")
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim()
    .slice(0, max);
}

function readString(record: UnknownRecord, key: string, max = MAX_TEXT): string | undefined {
  const value = record[key];
  return typeof value === "string" && value.trim() !== "" ? sanitise(value, max) : undefined;
}

function readHeader(headers: unknown, name: string): string | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  if (!isRecord(headers)) return undefined;
  // Covers plain objects and AxiosHeaders (own properties); header names compare case-insensitively.
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") return first;
    if (typeof first === "number") return String(first);
  }
  return undefined;
}

/** Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  // All three HTTP-date forms start with a day name; this keeps Date.parse from reading "12" as a year.
  if (!/^[a-z]{3}/i.test(text)) return undefined;
  // asctime() dates carry no zone; HTTP defines them as GMT, Date.parse would assume local time.
  const at = Date.parse(/\b(GMT|UTC)$/i.test(text) ? text : `${text} GMT`);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

// Default-mode rejections carry no headers, but the normalised 429 body repeats the wait.
function retryAfterFromMessage(message: string | undefined): number | undefined {
  const match = message ? /retry the request in \[(\d+)\] seconds/i.exec(message) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function readMessageParams(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const params: Record<string, string> = {};
  let count = 0;
  for (const [key, param] of Object.entries(value)) {
    if (typeof param !== "string" || count >= 20) continue;
    params[sanitise(key, 100)] = sanitise(param, 200);
    count += 1;
  }
  return count > 0 ? params : undefined;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function fromHttpResponse(
  status: number,
  statusText: unknown,
  headers: unknown,
  rawBody: unknown,
  operation: string | undefined,
): UpstreamError {
  let body = rawBody;
  if (typeof body === "string" && body.trimStart().startsWith("{")) {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      // Not JSON after all: treated as an opaque body below.
    }
  }
  const record = isRecord(body) ? body : {};
  const statusLine = typeof statusText === "string" && statusText !== "" ? sanitise(statusText, 100) : undefined;
  // ErrorBody fields first; /oauth/token answers OAuth-style {error, error_description} instead.
  const message =
    readString(record, "message") ??
    readString(record, "error_description") ??
    readString(record, "description") ??
    (statusLine ? `HTTP ${status} ${statusLine}` : `HTTP ${status}`);
  const genesysCode = readString(record, "code", 100) ?? readString(record, "error", 100);
  const correlationId = [readString(record, "contextId", 200), readHeader(headers, "inin-correlation-id")].find(
    (id): id is string => id !== undefined && CORRELATION_ID.test(id.trim()),
  );
  const retryAfterSeconds = parseRetryAfter(readHeader(headers, "retry-after")) ?? retryAfterFromMessage(message);
  const isSuccess = status >= 200 && status < 300;
  return new UpstreamError({
    kind: isSuccess ? "malformed" : "http",
    status,
    message,
    genesysCode,
    messageParams: readMessageParams(record.messageParams),
    correlationId: correlationId?.trim(),
    retryAfterSeconds,
    operation,
  });
}

const TIMEOUT_CODES = new Set([
  "ECONNABORTED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "ERR_CANCELED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const TIMEOUT_NAMES = new Set(["TimeoutError", "AbortError", "CanceledError"]);

function fromTransportFailure(record: UnknownRecord, operation: string | undefined): UpstreamError {
  const networkCode = readString(record, "code", 64);
  const name = readString(record, "name", 64);
  const detail = readString(record, "message", 200);
  const isTimeout = (networkCode !== undefined && TIMEOUT_CODES.has(networkCode)) || (name !== undefined && TIMEOUT_NAMES.has(name));
  const summary = isTimeout ? "Genesys Cloud did not answer in time" : "Could not reach Genesys Cloud";
  return new UpstreamError({
    kind: isTimeout ? "timeout" : "network",
    status: 0,
    message: detail ? `${summary}: ${detail}` : summary,
    operation,
    networkCode,
  });
}

/**
 * Converts whatever the SDK rejected with into an UpstreamError (CONTRACT.md §e): an extended-mode
 * `{status, headers, body, error}`, a default-mode ErrorBody, or a raw AxiosError (network and
 * login failures). Only whitelisted primitives are copied: an AxiosError's `config` carries the
 * `Authorization: Basic …` header, so the raw value is never kept, not even as `cause`.
 */
export function toUpstreamError(raw: unknown, operation?: string): UpstreamError {
  if (raw instanceof UpstreamError) {
    return operation === undefined || raw.operation !== undefined ? raw : new UpstreamError({ ...raw.toJSON(), operation });
  }
  if (typeof raw === "string") {
    // A default-mode rejection with a non-JSON body: no status survives, and the text may be HTML.
    return new UpstreamError({ kind: "malformed", message: "Genesys Cloud returned a non-JSON error body", operation });
  }
  if (!isRecord(raw)) {
    return new UpstreamError({ kind: "malformed", message: "Unrecognised failure from the Genesys client", operation });
  }

  // Extended mode: {status, statusText, headers, body, text, error}.
  if ("headers" in raw && "body" in raw && "error" in raw) {
    if (typeof raw.status === "number" && raw.status > 0) {
      return fromHttpResponse(raw.status, raw.statusText, raw.headers, raw.body ?? raw.text, operation);
    }
    if (raw.error !== null && raw.error !== undefined) return toUpstreamError(raw.error, operation);
  }

  // AxiosError (or anything shaped like one) with an HTTP response.
  const response = raw.response;
  if (isRecord(response) && typeof response.status === "number" && response.status > 0) {
    return fromHttpResponse(response.status, response.statusText, response.headers, response.data, operation);
  }

  // Default mode: the bare ErrorBody.
  if (typeof raw.status === "number" && raw.status > 0 && (typeof raw.code === "string" || typeof raw.message === "string")) {
    return fromHttpResponse(raw.status, undefined, undefined, raw, operation);
  }

  // No response at all: network failure, timeout or abort.
  if (raw.isAxiosError === true || typeof raw.code === "string" || (raw instanceof Error && TIMEOUT_NAMES.has(raw.name))) {
    return fromTransportFailure(raw, operation);
  }

  return new UpstreamError({ kind: "malformed", message: "Unrecognised failure from the Genesys client", operation });
}

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
