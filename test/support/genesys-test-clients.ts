// Clients for tests against the local Genesys Cloud emulator (emulator/server.ts):
// - the official SDK, one independent `ApiClientClass` per identity, pointed at the emulator with setGateway;
// - small plain-fetch helpers for observing raw HTTP behaviour (status, headers, unparsed bodies, timing, aborts)
//   and for paging user search against the ground truth.
// The OAuth sign-in flows (authorization code, PKCE) live in emulator-client.ts.
import platformClient from "purecloud-platform-client-v2";

/** A client-credentials identity, e.g. `DEMO.clients.bff`. */
export interface Credentials {
  readonly id: string;
  readonly secret: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The SDK

/** An SDK client. index.d.ts types the `ApiClient` singleton but not the `ApiClientClass` constructor. */
export type SdkClient = typeof platformClient.ApiClient;

interface SdkModuleWithClientClass {
  ApiClientClass: new () => SdkClient;
}

/**
 * A fresh, independent SDK client aimed at the emulator on 127.0.0.1:`port`. Pass it explicitly to every
 * `new platformClient.XxxApi(client)`: without an argument the SDK silently uses the first client ever built.
 */
export function createSdkClient(port: number, options: { extended?: boolean } = {}): SdkClient {
  const { ApiClientClass } = platformClient as unknown as SdkModuleWithClientClass;
  const client = new ApiClientClass();
  // Stop reading and watching ~/.genesyscloudjavascript/config: a [gateway] section there would replace ours.
  client.config.setConfigPath("");
  client.setGateway({ host: "127.0.0.1", protocol: "http", port });
  if (options.extended) client.setReturnExtendedResponses(true);
  return client;
}

/** `createSdkClient` plus `loginClientCredentialsGrant`. */
export async function loggedInSdkClient(port: number, credentials: Credentials, options: { extended?: boolean } = {}): Promise<SdkClient> {
  const client = createSdkClient(port, options);
  await client.loginClientCredentialsGrant(credentials.id, credentials.secret);
  return client;
}

/**
 * What calls resolve and reject with after `setReturnExtendedResponses(true)`. The typings still say
 * `Promise<Model>`, so results are re-typed through `extended()`. Header names are lower case.
 */
export interface ExtendedResponse<T = unknown> {
  status: number;
  statusText: string;
  headers: Record<string, string | undefined>;
  body: T;
  error: unknown;
}

export function isExtendedResponse(value: unknown): value is ExtendedResponse {
  return typeof value === "object" && value !== null && typeof (value as { status?: unknown }).status === "number" && "headers" in value && "body" in value;
}

/** Awaits an SDK call made on an extended-mode client and gives its result the real shape. */
export async function extended<T>(call: Promise<T>): Promise<ExtendedResponse<T>> {
  const result: unknown = await call;
  if (!isExtendedResponse(result)) throw new Error("expected an extended response; was setReturnExtendedResponses(true) called?");
  return result as ExtendedResponse<T>;
}

/** The value a call rejects with; fails when it resolves. */
export async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (e: unknown) {
    return e;
  }
  throw new Error("expected the call to reject");
}

/** The Genesys `ErrorBody` (definitions.ErrorBody in test/contract/openapi-subset.json). */
export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  messageParams?: Record<string, string>;
  contextId: string;
  details: unknown[];
  errors: unknown[];
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === "string" && typeof v.status === "number" && typeof v.message === "string" && typeof v.contextId === "string";
}

// ---------------------------------------------------------------------------------------------------------------
// Plain fetch

/** A client-credentials access token from the emulator's /oauth/token. */
export async function fetchToken(baseUrl: string, credentials: Credentials): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const body = (await res.json()) as { access_token?: unknown };
  if (res.status !== 200 || typeof body.access_token !== "string") throw new Error(`token request failed with ${res.status}`);
  return body.access_token;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Elapsed milliseconds from sending to the full body. */
  ms: number;
}

/** One request to the emulator's API. `body` is sent as JSON. The body is read as text (it may be malformed). */
export async function apiRequest(
  baseUrl: string,
  token: string | undefined,
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const started = performance.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    signal: init.signal,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, ms: performance.now() - started };
}

/** `apiRequest` that also parses the JSON body (throws when it is not JSON). */
export async function apiJson<T>(
  baseUrl: string,
  token: string | undefined,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await apiRequest(baseUrl, token, path, init);
  return { status: res.status, headers: res.headers, body: JSON.parse(res.text) as T };
}

/** A control request (`/__emulator/...`): no token, JSON in and out. */
export async function control<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/__emulator/${path}`, {
    method,
    headers: body !== undefined ? { "Content-Type": "application/json" } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (res.status !== 200) throw new Error(`control ${method} ${path} failed with ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The directory's members of a division (the ground truth, not the search index), sorted by id. */
export function groundTruth(baseUrl: string, divisionId: string, state: "any" | "active" | "inactive" = "any"): Promise<string[]> {
  return control<string[]>(baseUrl, "GET", `divisions/${divisionId}/user-ids?state=${state}`);
}

// ---------------------------------------------------------------------------------------------------------------
// User search

export interface SearchUser {
  id: string;
  name: string;
  state: string;
  division: { id: string; name: string };
}

export interface SearchPage {
  total: number;
  pageCount: number;
  pageSize: number;
  pageNumber: number;
  nextPage?: string;
  previousPage?: string;
  currentPage?: string;
  results?: SearchUser[];
}

/** The search body for "the users of one division", as lib/server/genesys/search-assumptions.ts builds it. */
export function divisionSearch(divisionId: string, pageNumber: number, pageSize = 100) {
  return {
    pageSize,
    pageNumber,
    sortOrder: "ASC",
    sortBy: "name",
    query: [{ type: "EXACT", fields: ["divisionId"], values: [divisionId] }],
  };
}

/**
 * The q64 value of a `nextPage`/`previousPage` URI (`/api/v2/users/search?q64=…`). Read from the raw text, not
 * URLSearchParams: base64 may contain `+`, which form decoding would turn into a space.
 */
export function q64Of(pageUri: string): string {
  const m = /[?&]q64=([^&#]*)/.exec(pageUri);
  if (!m?.[1]) throw new Error(`no q64 in ${pageUri}`);
  return decodeURIComponent(m[1]);
}

/** Pages a division search (POST, pageNumber 1..pageCount) over plain HTTP; returns every page. */
export async function searchAllPages(baseUrl: string, token: string, divisionId: string, pageSize = 100): Promise<SearchPage[]> {
  const pages: SearchPage[] = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const res = await apiJson<SearchPage>(baseUrl, token, "/api/v2/users/search", { body: divisionSearch(divisionId, pageNumber, pageSize) });
    if (res.status !== 200) throw new Error(`search page ${pageNumber} failed with ${res.status}`);
    pages.push(res.body);
    if (pageNumber >= res.body.pageCount) return pages;
  }
}

export function idsOf(pages: readonly SearchPage[]): string[] {
  return pages.flatMap((p) => (p.results ?? []).map((u) => u.id));
}
