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
  // The audit trail can record nothing more (PostgreSQL down and this instance's disk buffer full): a view
  // that could not be recorded is refused rather than answered off the record.
  audit_unavailable: 503,
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

/**
 * Turns anything thrown into the HTTP response the BFF sends. Unknown errors reveal nothing; an upstream
 * failure must be mapped first (genesys' `toAppError`), which the route wrapper does.
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  const appError = err instanceof AppError ? err : new AppError("internal", GENERIC_MESSAGES.internal ?? "Internal error");

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
