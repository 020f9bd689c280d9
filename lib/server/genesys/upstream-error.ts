import "server-only";

// What a failed Genesys call is, whatever shape the SDK rejected with: the one type the client throws.

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
 * Converts whatever the SDK rejected with into an UpstreamError: an extended-mode
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
